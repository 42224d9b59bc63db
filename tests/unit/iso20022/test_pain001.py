"""pain.001 writer: the City of Springfield pays two vendors by CCD, and the bank's XSD agrees with every byte."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import xmlschema

from adapters.rails.iso20022.pain001 import (
    CashAccountType,
    CreditTransfer,
    CreditTransferInitiation,
    Debtor,
    LocalInstrument,
    PaymentBlock,
    aba_check_digit_ok,
    build_pain001,
    format_amount,
)
from payments.reconciliation.statements import FormatError, SchemaViolation

DATA = Path(__file__).resolve().parents[2] / "data" / "iso20022"
SCHEMAS = Path(__file__).resolve().parents[3] / "adapters" / "rails" / "iso20022" / "schemas"

CITY = Debtor(name="City of Springfield", account_number="4412345678", routing_number="021000021",
              company_id="1234567890", account_type=CashAccountType.CHECKING)
REDWOOD = CreditTransfer(end_to_end_id="pay_01J9Z8K2M3N4P5Q6R7S8T9V0W1", amount_minor=745_000, currency="USD",
                         creditor_name="Redwood Hardware Supply LLC", creditor_routing_number="121000248",
                         creditor_account_number="5512345678", remittance="INV 2026-0912 PO 7781")
ACME = CreditTransfer(end_to_end_id="pay_01J9Z8K2M3N4P5Q6R7S8T9V0W2", amount_minor=1_999, currency="USD",
                      creditor_name="Acme Office Supply & Co <West>", creditor_routing_number="011000015",
                      creditor_account_number="000123", creditor_account_type=CashAccountType.SAVINGS)


def payment_run(*transfers: CreditTransfer, instrument: LocalInstrument = LocalInstrument.CCD
                ) -> CreditTransferInitiation:
    block = PaymentBlock(payment_info_id="run_2026-09-23_ccd", requested_execution_date=date(2026, 9, 23),
                         debtor=CITY, transfers=transfers or (REDWOOD, ACME), local_instrument=instrument)
    return CreditTransferInitiation(message_id="msg_01J9Z8K2M3N4P5Q6R7S8T9V0XX",
                                    created_at=datetime(2026, 9, 22, 9, 0, 0),
                                    initiating_party_name="City of Springfield", blocks=(block,),
                                    initiating_party_id="1234567890")


def text(xml: bytes, path: str) -> list[str]:
    # Match on local names, as a bank would: "./A/B" -> "./{*}A/{*}B".
    steps = ["." if step == "." else "{*}" + step for step in path.split("/")]
    return [e.text or "" for e in ET.fromstring(xml).iterfind("/".join(steps))]


def test_two_vendor_run_matches_the_golden_file_for_v09() -> None:
    assert build_pain001(payment_run()) == (DATA / "pain001-ccd-two-vendors.001.09.xml").read_bytes()


def test_two_vendor_run_matches_the_golden_file_for_v03() -> None:
    assert build_pain001(payment_run(), "pain.001.001.03") == (
        DATA / "pain001-ccd-two-vendors.001.03.xml").read_bytes()


@pytest.mark.parametrize("version", ["pain.001.001.03", "pain.001.001.09"])
def test_output_validates_against_the_official_xsd_independently(version: str) -> None:
    xml = build_pain001(payment_run(), version)
    xmlschema.XMLSchema(str(SCHEMAS / f"{version}.xsd")).validate(xml.decode())


def test_counts_and_control_sums_cover_group_and_block() -> None:
    xml = build_pain001(payment_run())
    assert text(xml, "./CstmrCdtTrfInitn/GrpHdr/NbOfTxs") == ["2"]
    assert text(xml, "./CstmrCdtTrfInitn/GrpHdr/CtrlSum") == ["7469.99"]
    assert text(xml, "./CstmrCdtTrfInitn/PmtInf/NbOfTxs") == ["2"]
    assert text(xml, "./CstmrCdtTrfInitn/PmtInf/CtrlSum") == ["7469.99"]
    assert text(xml, "./CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/Amt/InstdAmt") == ["7450.00", "19.99"]


def test_us_ach_conventions_routing_account_sec_code_and_purpose() -> None:
    xml = build_pain001(payment_run(instrument=LocalInstrument.PPD))
    tx = "./CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf"
    assert text(xml, f"{tx}/CdtrAgt/FinInstnId/ClrSysMmbId/ClrSysId/Cd") == ["USABA", "USABA"]
    assert text(xml, f"{tx}/CdtrAgt/FinInstnId/ClrSysMmbId/MmbId") == ["121000248", "011000015"]
    assert text(xml, f"{tx}/CdtrAcct/Id/Othr/SchmeNm/Cd") == ["BBAN", "BBAN"]
    assert text(xml, f"{tx}/CdtrAcct/Tp/Cd") == ["SVGS"]
    assert text(xml, f"{tx}/RmtInf/Ustrd") == ["INV 2026-0912 PO 7781"]
    assert text(xml, "./CstmrCdtTrfInitn/PmtInf/PmtTpInf/LclInstrm/Cd") == ["PPD"]
    assert text(xml, "./CstmrCdtTrfInitn/PmtInf/PmtTpInf/CtgyPurp/Cd") == ["SUPP"]
    assert text(xml, "./CstmrCdtTrfInitn/PmtInf/ReqdExctnDt/Dt") == ["2026-09-23"]
    assert text(xml, f"{tx}/Cdtr/Nm")[1] == "Acme Office Supply & Co <West>"  # escaped, round-trips


def test_v03_has_a_bare_requested_execution_date() -> None:
    xml = build_pain001(payment_run(), "pain.001.001.03")
    assert text(xml, "./CstmrCdtTrfInitn/PmtInf/ReqdExctnDt") == ["2026-09-23"]


def test_amounts_are_exact_decimals_per_currency() -> None:
    assert format_amount(1, "USD") == "0.01"
    assert format_amount(100_000_000_000_01, "USD") == "100000000000.01"
    assert format_amount(5000, "JPY") == "5000"
    assert format_amount(1_234, "BHD") == "1.234"
    many = tuple(dataclasses.replace(REDWOOD, end_to_end_id=f"e2e-{i}", amount_minor=10) for i in range(3))
    # 3 x 0.10 is exactly 0.30 here; in binary floating point it would not be.
    assert text(build_pain001(payment_run(*many)), "./CstmrCdtTrfInitn/GrpHdr/CtrlSum") == ["0.30"]
    assert Decimal("0.30") == sum(Decimal(v) for v in ["0.10"] * 3)


def test_an_end_to_end_id_longer_than_35_characters_is_refused_listing_the_xsd_problem() -> None:
    too_long = dataclasses.replace(REDWOOD, end_to_end_id="E" * 36)
    with pytest.raises(SchemaViolation) as refused:
        build_pain001(payment_run(too_long))
    assert refused.value.code == "schema_violation"
    assert any("EndToEndId" in p and "35" in p for p in refused.value.problems)


def test_several_xsd_problems_are_all_listed() -> None:
    bad = dataclasses.replace(payment_run(dataclasses.replace(REDWOOD, creditor_name="")),
                              message_id="M" * 36)
    with pytest.raises(SchemaViolation) as refused:
        build_pain001(bad)
    assert len(refused.value.problems) >= 2
    assert "MsgId" in str(refused.value) and "Nm" in str(refused.value)


def test_a_bad_routing_check_digit_is_refused_before_the_xsd() -> None:
    with pytest.raises(FormatError) as refused:
        build_pain001(payment_run(dataclasses.replace(ACME, creditor_routing_number="011000016")))
    assert refused.value.code == "invalid_pain001"
    assert refused.value.location == "PmtInf[1]/CdtTrfTxInf[1]"
    assert "011000016" in str(refused.value)


def test_a_repeated_end_to_end_id_is_refused() -> None:
    with pytest.raises(FormatError, match="repeats PmtInf.1./CdtTrfTxInf.1."):
        build_pain001(payment_run(REDWOOD, dataclasses.replace(ACME, end_to_end_id=REDWOOD.end_to_end_id)))


@pytest.mark.parametrize("amount_minor", [0, -5])
def test_a_non_positive_amount_is_refused(amount_minor: int) -> None:
    with pytest.raises(FormatError, match="must be positive"):
        build_pain001(payment_run(dataclasses.replace(REDWOOD, amount_minor=amount_minor)))


def test_an_unknown_version_is_refused() -> None:
    with pytest.raises(FormatError) as refused:
        build_pain001(payment_run(), "pain.001.001.42")
    assert refused.value.code == "unsupported_format"


def test_aba_check_digit() -> None:
    assert aba_check_digit_ok("021000021") and aba_check_digit_ok("121000248")
    assert not aba_check_digit_ok("021000022") and not aba_check_digit_ok("02100002") \
        and not aba_check_digit_ok("02100002x")
