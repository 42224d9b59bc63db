"""The golden NACHA files: fixed inputs for the builder, one small story each.

The City of Springfield (company id 1376000123, banking with an ODFI whose routing is 091000019) pays its
vendors. Every file in ``tests/data/nacha/`` is ``write()`` of one function below; ``test_golden.py`` checks
that regenerating gives identical bytes. After an intended format change, regenerate with::

    .venv/bin/python -m tests.unit.nacha.golden
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path

from adapters.formats.nacha import (

    Batch,
    CorrectedData,
    Entry,
    InvoiceRemittance,
    NachaFile,
    Remittance820,
    ctx_addenda,
    ctx_total_cents,
    noc_batch,
    noc_entry,
    return_batch,
    return_entry,
    rmr_addenda,
    write,
)

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "nacha"

ODFI_ROUTING = "091000019"
ODFI = ODFI_ROUTING[:8]
CITY = "CITY SPRINGFIELD"
CITY_ID = "1376000123"
RDFI_BANK = "231380104"  # the vendors' bank, which also sends returns and NOCs back
RDFI_BANK_ID = RDFI_BANK[:8]
CREATED = date(2026, 1, 5)
PAY_DATE = date(2026, 1, 6)


def _file(batches: list[Batch], modifier: str = "A") -> NachaFile:
    return NachaFile(
        immediate_destination=ODFI_ROUTING,
        immediate_origin=CITY_ID,
        creation_date=CREATED,
        creation_time=time(9, 30),
        file_id_modifier=modifier,
        immediate_destination_name="FIRST MIDWEST BANK",
        immediate_origin_name="CITY OF SPRINGFIELD",
        reference_code="AP000001",
        batches=batches,
    )


def _batch(sec: str, entries: list[Entry], service_class: int = 220, description: str = "VENDOR PAY") -> Batch:
    return Batch(
        service_class=service_class,
        company_name=CITY,
        company_id=CITY_ID,
        sec_code=sec,
        entry_description=description,
        effective_date=PAY_DATE,
        odfi_id=ODFI,
        entries=entries,
        company_discretionary="AP RUN 2026-001",
        descriptive_date="JAN 06",
    )


def _trace(seq: int) -> str:
    return f"{ODFI}{seq:07d}"


VENDOR_CREDITS = [
    # (transaction code, routing, account, cents, vendor id, name)
    (22, "231380104", "4400019921", 1_250_000, "VEN0001", "ACME SUPPLY CO"),
    (32, "121042882", "9000123", 87_315, "VEN0002", "BLUE RIVER JANITORIAL"),
    (22, "071000301", "55-778-01", 4_999_999_999, "VEN0003", "GRANITE PAVING LLC"),
]


def ccd_credit() -> NachaFile:
    """Three vendor credits, no remittance: checking, savings and a near-maximum $49,999,999.99."""
    entries = [
        Entry(transaction_code=tc, rdfi_routing=r, account_number=a, amount_cents=c, identification=i,
              receiver_name=n, trace_number=_trace(k))
        for k, (tc, r, a, c, i, n) in enumerate(VENDOR_CREDITS, 1)
    ]
    return _file([_batch("CCD", entries)])


def ccd_plus_rmr() -> NachaFile:
    """CCD+: each credit carries one Addenda05 with an X12 RMR naming the invoice it pays."""
    invoices = [("INV-1001", 1_300_000, 50_000), ("88231", 87_315, 0), ("GP-2025-117", 4_999_999_999, 0)]
    entries = [
        Entry(transaction_code=tc, rdfi_routing=r, account_number=a, amount_cents=c, identification=i,
              receiver_name=n, trace_number=_trace(k),
              addenda=[rmr_addenda(inv, c, gross, discount)])
        for k, ((tc, r, a, c, i, n), (inv, gross, discount)) in enumerate(zip(VENDOR_CREDITS, invoices), 1)
    ]
    return _file([_batch("CCD", entries)])


def ctx_remittance() -> Remittance820:
    return Remittance820(
        sender_id="1376000123",
        receiver_id="ACMESUPPLY",
        interchange_control_number=1001,
        created=datetime(2026, 1, 5, 9, 30),
        payer_name="City of Springfield",
        payee_name="Acme Supply Co",
        payee_id="VEN0001",
        payer_id="1376000123",
        trace_reference="PAY01JGOLDEN0001",
        payment_date=PAY_DATE,
        invoices=[
            InvoiceRemittance(invoice_number=f"INV-{2000 + i}", paid_cents=10_000 * i + i, gross_cents=10_000 * i + i,
                              discount_cents=0, invoice_date=date(2025, 12, i))
            for i in range(1, 13)
        ],
    )


def ctx_820() -> NachaFile:
    """CTX: one credit paying twelve invoices, its X12 820 spread over several 80-character addenda."""
    remittance = ctx_remittance()
    entry = Entry(transaction_code=22, rdfi_routing="231380104", account_number="4400019921",
                  amount_cents=ctx_total_cents(remittance), identification="VEN0001", receiver_name="ACME SUPPLY CO",
                  trace_number=_trace(1), addenda=ctx_addenda(remittance))
    return _file([_batch("CTX", [entry])])


def ppd_credit() -> NachaFile:
    """PPD: employee travel reimbursements to personal accounts."""
    entries = [
        Entry(transaction_code=22, rdfi_routing="231380104", account_number="11223344", amount_cents=45_610,
              identification="EMP00417", receiver_name="MARIA GONZALEZ", trace_number=_trace(1)),
        Entry(transaction_code=32, rdfi_routing="121042882", account_number="99887766", amount_cents=12_000,
              identification="EMP00981", receiver_name="DEVON O'NEIL", trace_number=_trace(2)),
    ]
    return _file([_batch("PPD", entries, description="TRAVEL REI")])


def prenote() -> NachaFile:
    """Prenotes (23 checking, 33 savings): zero-dollar tests of two new vendors' bank details."""
    entries = [
        Entry(transaction_code=23, rdfi_routing="231380104", account_number="7700112", amount_cents=0,
              identification="VEN0004", receiver_name="LAKESIDE PRINTING", trace_number=_trace(1)),
        Entry(transaction_code=33, rdfi_routing="121042882", account_number="5512", amount_cents=0,
              identification="VEN0005", receiver_name="NORTH STAR ELECTRIC", trace_number=_trace(2)),
    ]
    return _file([_batch("CCD", entries, description="PRENOTE")])


def _rdfi_file(batches: list[Batch]) -> NachaFile:
    """A file the vendors' bank sends back to the city's ODFI."""
    return NachaFile(
        immediate_destination=ODFI_ROUTING,
        immediate_origin=RDFI_BANK,
        creation_date=date(2026, 1, 8),
        creation_time=time(6, 15),
        file_id_modifier="R",
        immediate_destination_name="FIRST MIDWEST BANK",
        immediate_origin_name="CITADEL BANK",
        batches=batches,
    )


def returns() -> NachaFile:
    """Two of the CCD payments come back: R03 (no account) and R02 (account closed); a PPD one R15 (deceased)."""
    original = ccd_credit().batches[0]
    ccd_returns = [
        return_entry(original.entries[0], reason_code="R03", trace_number=f"{RDFI_BANK_ID}0000101",
                     original_odfi_routing=ODFI_ROUTING, information="NO ACCOUNT UNDER THIS NUMBER"),
        return_entry(original.entries[1], reason_code="R02", trace_number=f"{RDFI_BANK_ID}0000102",
                     original_odfi_routing=ODFI_ROUTING),
    ]
    ppd = ppd_credit().batches[0]
    ppd_returns = [
        return_entry(ppd.entries[0], reason_code="R15", trace_number=f"{RDFI_BANK_ID}0000103",
                     original_odfi_routing=ODFI_ROUTING, date_of_death=date(2025, 12, 28)),
    ]
    return _rdfi_file([
        return_batch(original, ccd_returns, odfi_id=RDFI_BANK_ID, effective_date=date(2026, 1, 8)),
        return_batch(ppd, ppd_returns, odfi_id=RDFI_BANK_ID, effective_date=date(2026, 1, 8)),
    ])


def noc() -> NachaFile:
    """Notifications of change: C01 (new account number) and C07 (routing, account and savings code)."""
    original = ccd_credit().batches[0]
    entries = [
        noc_entry(original.entries[0], change_code="C01", corrected=CorrectedData(account_number="4400019922"),
                  trace_number=f"{RDFI_BANK_ID}0000201", original_odfi_routing=ODFI_ROUTING),
        noc_entry(original.entries[1], change_code="C07",
                  corrected=CorrectedData(routing_number="231380104", account_number="9000124", transaction_code=32),
                  trace_number=f"{RDFI_BANK_ID}0000202", original_odfi_routing=ODFI_ROUTING),
    ]
    return _rdfi_file([noc_batch(original, entries, odfi_id=RDFI_BANK_ID, effective_date=date(2026, 1, 8))])


GOLDEN: dict[str, Callable[[], NachaFile]] = {
    "ccd_credit.ach": ccd_credit,
    "ccd_plus_rmr.ach": ccd_plus_rmr,
    "ctx_820.ach": ctx_820,
    "ppd_credit.ach": ppd_credit,
    "prenote.ach": prenote,
    "return.ach": returns,
    "noc.ach": noc,
}


def regenerate() -> None:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    for name, build in GOLDEN.items():
        (DATA_DIR / name).write_bytes(write(build()))
        print(f"wrote {DATA_DIR / name}")


if __name__ == "__main__":
    regenerate()


__all__ = ["GOLDEN", "DATA_DIR", "regenerate"]

