"""Remittance of a payment that deducts a credit memo, as the NACHA rail writes it (issue 11, defect 1)."""

import datetime as dt

from adapters.formats.nacha.reader import read
from adapters.formats.nacha.writer import write
from adapters.rails.nacha.rail import NachaOriginator, build_file
from payments.disbursements.rails import RailAccountType, RailBatch, RailPayment, RailSec, RemittanceLine

LINES = (RemittanceLine("INV-1950", 195_000, invoice_date=dt.date(2026, 11, 15)),
         RemittanceLine("CM-150", -15_000, invoice_date=dt.date(2026, 11, 16), credit_memo=True))


def batch(sec: RailSec) -> RailBatch:
    payment = RailPayment(payment_id="pay_01JCREDIT00000000000000000", external_id="pay_01JCREDIT00000000000000000",
                          amount_minor=180_000, currency="USD", payee_name="ACME FURNITURE", payee_id="ven_acme",
                          routing_number="021000021", account_number="000555123456",
                          account_type=RailAccountType.CHECKING, sec_code=sec, trace_number="231380100000001",
                          remittance=LINES)
    return RailBatch("sub_01JCREDIT00000000000000000", "run_01JCREDIT00000000000000000",
                     dt.datetime(2026, 12, 14, 15, tzinfo=dt.timezone.utc), dt.date(2026, 12, 15), (payment,))


def addenda(sec: RailSec) -> list[str]:
    nacha, _ = build_file(batch(sec), NachaOriginator({}))
    data = write(nacha)
    assert read(data, strict=True).ok
    text = data.decode()
    return [line[3:83].rstrip() for line in text.splitlines() if line.startswith("705")]


def test_ccd_plus_cannot_carry_invoice_and_credit_so_its_addenda_names_the_advice_in_the_portal():
    assert addenda(RailSec.CCD) == ["REMITTANCE ADVICE PAY_01JCREDIT00000000000000000 IN THE VENDOR PORTAL"]


def test_ctx_carries_the_credit_as_an_adx_adjustment_and_the_bpr_is_the_net():
    x12 = "".join(addenda(RailSec.CTX))
    assert "BPR*C*1800.00*C*ACH*CTX" in x12
    assert x12.index("ENT*1\\ADX*-150.00*52*CM*CM-150\\RMR*IV*INV-1950*PI*1950.00*1950.00\\") > 0
