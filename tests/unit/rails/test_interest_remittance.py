"""The rule the interest was computed under, in the remittance the vendor's bank passes on (issue 18): a REF after the
invoice's RMR in an X12 820 and, where it fits in 80 characters, in a CCD+ addenda; an adjustment to what was due
in pain.001's structured remittance, valid against both schema versions Disburse writes."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from adapters.formats.nacha.remittance import InvoiceRemittance, Remittance820, ccd_plus_addenda, ctx_segments
from adapters.rails.iso20022.pain001 import ReferredDocument, build_pain001
from tests.unit.iso20022.test_pain001 import REDWOOD, payment_run, text

TEXAS = InvoiceRemittance(invoice_number="INV-1001", paid_cents=120_917, gross_cents=120_000,
                          invoice_date=date(2026, 10, 5), interest_cents=917, interest_rule="texas@tx-2251")
FLORIDA = dataclasses.replace(TEXAS, paid_cents=122_960, interest_cents=2_960,
                              interest_rule="florida_local@fs-218-2021.07/construction")


def test_a_ccd_plus_addenda_adds_the_rule_when_rmr_and_ref_fit_in_80_characters():
    assert ccd_plus_addenda(TEXAS).payment_related_information == (
        "RMR*IV*INV-1001*PI*1209.17*1200.00\\REF*ZZ*INTEREST 9.17*TEXAS@TX-2251\\")
    # 35 + 64 characters do not fit: the RMR goes alone (the portal's remittance advice names the rule).
    assert ccd_plus_addenda(FLORIDA).payment_related_information == "RMR*IV*INV-1001*PI*1229.60*1200.00\\"
    no_interest = dataclasses.replace(TEXAS, paid_cents=120_000, interest_cents=0, interest_rule=None)
    assert ccd_plus_addenda(no_interest).payment_related_information == "RMR*IV*INV-1001*PI*1200.00*1200.00\\"


def test_the_820_puts_the_ref_between_the_rmr_and_its_dtm_and_counts_it():
    segments = ctx_segments(Remittance820(
        sender_id="1234567890", receiver_id="ACME", interchange_control_number=7, created=datetime(2026, 12, 10, 9),
        payer_name="CITY OF RIVERTON", payee_name="ACME FURNITURE", payer_id="1234567890",
        trace_reference="231380100000007", payment_date=date(2026, 12, 11), invoices=[FLORIDA, TEXAS]))
    body = segments[segments.index("ST*820*0001\\"):segments.index(next(s for s in segments if s.startswith("SE*")))]
    assert body[-6:] == ["RMR*IV*INV-1001*PI*1229.60*1200.00\\",
                         "REF*ZZ*INTEREST 29.60*FLORIDA_LOCAL@FS-218-2021.07/CONSTRUCTION\\", "DTM*003*20261005\\",
                         "RMR*IV*INV-1001*PI*1209.17*1200.00\\", "REF*ZZ*INTEREST 9.17*TEXAS@TX-2251\\",
                         "DTM*003*20261005\\"]
    assert next(s for s in segments if s.startswith("SE*")) == f"SE*{len(body) + 1}*0001\\"


@pytest.mark.parametrize("version", ["pain.001.001.03", "pain.001.001.09"])
def test_pain001_carries_the_interest_as_an_adjustment_to_what_was_due_valid_in_both_versions(version):
    said = "Interest 9.17 USD under texas@tx-2251 (Texas Government Code chapter 2251)"
    transfer = dataclasses.replace(REDWOOD, amount_minor=120_917, documents=(
        ReferredDocument("CINV", "INV-1001", 120_917, 120_000, 917, said),))
    xml = build_pain001(payment_run(transfer), version)  # validated against the XSD before it is returned
    strd = "./CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/RmtInf/Strd"
    assert text(xml, f"{strd}/RfrdDocAmt/DuePyblAmt") == ["1200.00"]
    assert text(xml, f"{strd}/RfrdDocAmt/AdjstmntAmtAndRsn/Amt") == ["9.17"]
    assert text(xml, f"{strd}/RfrdDocAmt/AdjstmntAmtAndRsn/CdtDbtInd") == ["CRDT"]
    assert text(xml, f"{strd}/RfrdDocAmt/AdjstmntAmtAndRsn/AddtlInf") == [said]
    assert text(xml, f"{strd}/RfrdDocAmt/RmtdAmt") == ["1209.17"]
    assert text(xml, f"{strd}/AddtlRmtInf") == [said]
