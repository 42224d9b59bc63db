"""The NACHA rail as worked examples, one golden file per SEC code; the reader accepts every file it writes.

Regenerate the golden files after a deliberate format change with ``DISBURSE_REGEN_GOLDEN=1``.
"""

import datetime as dt
import os
from pathlib import Path

import pytest

from adapters.rails.nacha.rail import NachaOriginator, NachaRail, build_file
from adapters.formats.nacha.reader import read
from adapters.formats.nacha.remittance import join_addenda_text, parse_rmr, split_segments
from adapters.formats.nacha.writer import write
from config.policy import load_policy
from payments.disbursements.payment_rules import trace_numbers
from payments.disbursements.rails import RailAccountType, RailBatch, RailPayment, RailSec, RemittanceLine

GOLDEN = Path(__file__).resolve().parents[2] / "data" / "payments"
CREATED = dt.datetime(2026, 11, 2, 14, 5, tzinfo=dt.timezone.utc)
ORIGINATOR = NachaOriginator(load_policy()["nacha"])


def pay(n: int, amount: int, name: str, sec: RailSec, *, remittance=(), prenote=False,
        account_type=RailAccountType.CHECKING, routing="091000019") -> RailPayment:
    pid = f"pay_01JD8Z3K4M5N6P7Q8R9S0T{n:04d}"
    return RailPayment(pid, pid, amount, "USD", name, f"ven_{n:04d}", routing, f"00{n}98765", account_type, sec,
                       prenote=prenote, remittance=tuple(remittance))


def batch(*payments: RailPayment, sid: str = "sub_01JD8Z3K4M5N6P7Q8R9S0TAAAA") -> RailBatch:
    traces = trace_numbers([p.payment_id for p in payments], ORIGINATOR.odfi_id)
    stamped = tuple(RailPayment(**{**{f: getattr(p, f) for f in p.__slots__}, "trace_number": traces[p.payment_id]})
                    for p in payments)
    return RailBatch(sid, "run_01JD8Z3K4M5N6P7Q8R9S0TBBBB", CREATED, dt.date(2026, 11, 3), stamped)


EXAMPLES = {
    # Acme is paid one invoice: CCD+ with a single RMR addenda.
    "ccd_plus_one_invoice": batch(pay(1, 1_250_000, "Acme Office Supply", RailSec.CCD,
                                      remittance=[RemittanceLine("A-10045", 1_275_510, 25_510)])),
    # Plain CCD: a vendor that takes no remittance, and a prenote to a new checking account.
    "ccd_plain_and_prenote": batch(pay(2, 98_000, "Riverton Paving", RailSec.CCD),
                                   pay(3, 0, "New Vendor Inc", RailSec.CCD, prenote=True)),
    # Big Vendor is paid six invoices at once: CTX with an X12 820 across several addenda.
    "ctx_six_invoices": batch(pay(4, sum(10_000 * i - 100 * i for i in range(1, 7)), "Big Vendor LLC", RailSec.CTX,
                                  remittance=[RemittanceLine(f"BV-{i:03d}", 10_000 * i, 100 * i,
                                                             invoice_date=dt.date(2026, 10, i)) for i in range(1, 7)],
                                  account_type=RailAccountType.SAVINGS)),
    # A refund to a resident: PPD to a savings account, and a PPD prenote.
    "ppd_individual": batch(pay(5, 4_250, "Jane Roe", RailSec.PPD, account_type=RailAccountType.SAVINGS),
                            pay(6, 0, "John Doe", RailSec.PPD, prenote=True, account_type=RailAccountType.SAVINGS)),
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_example_matches_its_golden_file_and_reads_clean(name):
    nacha, manifest = build_file(EXAMPLES[name], ORIGINATOR)
    data = write(nacha)
    path = GOLDEN / f"{name}.ach"
    if os.environ.get("DISBURSE_REGEN_GOLDEN") or not path.exists():
        path.write_bytes(data)
    assert data == path.read_bytes()
    result = read(data, strict=True)
    assert result.ok, result.problems
    assert not result.warnings
    assert sorted(manifest.values()) == sorted(p.payment_id for p in EXAMPLES[name].payments)


def test_ccd_plus_carries_one_rmr_with_paid_gross_and_discount():
    result = read(write(build_file(EXAMPLES["ccd_plus_one_invoice"], ORIGINATOR)[0]))
    (entry,) = list(result.entries())
    assert entry.transaction_code == 22 and entry.amount_cents == 1_250_000
    (rmr,) = parse_rmr(entry.addenda[0].payment_related_information)
    assert (rmr.reference, rmr.paid_cents, rmr.gross_cents, rmr.discount_cents) == ("A-10045", 1_250_000, 1_275_510, 25_510)


def test_ctx_carries_an_820_whose_rmr_segments_add_up_to_the_entry():
    result = read(write(build_file(EXAMPLES["ctx_six_invoices"], ORIGINATOR)[0]))
    (entry,) = list(result.entries())
    assert entry.transaction_code == 32 and len(entry.addenda) > 1
    text = join_addenda_text([a.payment_related_information for a in entry.addenda])
    segments = split_segments(text)
    assert segments[0].startswith("ISA") and segments[-1].startswith("IEA")
    assert sum(r.paid_cents for r in parse_rmr(text)) == entry.amount_cents
    assert int(entry.raw[54:58]) == len(entry.addenda)  # CTX addenda count, positions 55-58


def test_prenotes_are_zero_dollar_23_and_33():
    codes = {e.transaction_code: e.amount_cents for name in ("ccd_plain_and_prenote", "ppd_individual")
             for e in read(write(build_file(EXAMPLES[name], ORIGINATOR)[0])).entries()}
    assert codes[23] == 0 and codes[33] == 0


def test_a_resubmission_writes_the_same_bytes_and_the_same_traces(tmp_path):
    rail = NachaRail(ORIGINATOR, tmp_path)
    example = EXAMPLES["ctx_six_invoices"]
    first = rail.render(example)
    again = NachaRail(ORIGINATOR, tmp_path / "elsewhere").render(example)
    assert first == again
    receipt = rail.submit(example)
    duplicate = rail.submit(example)
    assert not receipt.duplicate and duplicate.duplicate and duplicate.reference == receipt.reference
    assert [p.name for p in tmp_path.glob("*.ach")] == [receipt.reference]


def test_traces_are_stable_per_payment_and_unique_in_a_file():
    ids = [f"pay_01JD8Z3K4M5N6P7Q8R9S0T{n:04d}" for n in range(2000)]
    traces = trace_numbers(ids, "23138010")
    assert len(set(traces.values())) == len(ids)
    assert trace_numbers(list(reversed(ids)), "23138010") == traces
