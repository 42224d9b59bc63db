"""The builder refuses input it cannot write correctly, with an error naming the object and the field."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from adapters.formats.nacha import (
    Addenda05,
    Addenda98,
    Addenda99,
    Entry,
    InvoiceRemittance,
    NachaBuildError,
    Remittance820,
    ctx_addenda,
    rmr_addenda,
    write,
)

from .golden import ccd_credit, ccd_plus_rmr, ctx_remittance, noc, returns


def _with_entry(file, index=0, batch=0, **changes):
    b = file.batches[batch]
    entries = list(b.entries)
    entries[index] = replace(entries[index], **changes)
    batches = list(file.batches)
    batches[batch] = replace(b, entries=entries)
    return replace(file, batches=batches)


def _with_batch(file, batch=0, **changes):
    batches = list(file.batches)
    batches[batch] = replace(batches[batch], **changes)
    return replace(file, batches=batches)


def _refused(file, code: str, field: str) -> NachaBuildError:
    with pytest.raises(NachaBuildError) as info:
        write(file)
    assert (info.value.code, info.value.field) == (code, field), str(info.value)
    return info.value


def test_bad_routing_check_digit_names_the_entry():
    err = _refused(_with_entry(ccd_credit(), 1, rdfi_routing="121042881"), "routing_check_digit", "rdfi_routing")
    assert "batch 1 (CCD), entry 2 (trace 091000010000002)" in str(err)


def test_routing_must_be_nine_ascii_digits():
    _refused(_with_entry(ccd_credit(), rdfi_routing="23138010"), "invalid_format", "rdfi_routing")
    _refused(_with_entry(ccd_credit(), rdfi_routing="２31380104"), "invalid_format", "rdfi_routing")


def test_non_ascii_and_control_characters_are_refused():
    _refused(_with_entry(ccd_credit(), receiver_name="ACMÉ SUPPLY"), "non_ascii", "receiver_name")
    _refused(_with_entry(ccd_credit(), identification="VEN\n1"), "non_ascii", "identification")
    _refused(_with_batch(ccd_credit(), company_name="CITY\tX"), "non_ascii", "company_name")


def test_overlong_fields_are_refused_not_truncated():
    _refused(_with_entry(ccd_credit(), account_number="1" * 18), "field_too_long", "account_number")
    _refused(_with_entry(ccd_credit(), receiver_name="A" * 23), "field_too_long", "receiver_name")
    _refused(_with_batch(ccd_credit(), company_name="A" * 17), "field_too_long", "company_name")
    _refused(_with_batch(ccd_credit(), entry_description="VENDOR PAYS"), "field_too_long", "entry_description")


def test_ctx_receiver_name_is_limited_to_sixteen_characters():
    from .golden import ctx_820

    _refused(_with_entry(ctx_820(), receiver_name="ACME SUPPLY COMPANY"), "field_too_long", "receiver_name")


def test_amounts_are_integer_cents_of_at_most_ten_digits():
    _refused(_with_entry(ccd_credit(), amount_cents=10_000_000_000), "amount_out_of_range", "amount_cents")
    _refused(_with_entry(ccd_credit(), amount_cents=-1), "amount_out_of_range", "amount_cents")
    _refused(_with_entry(ccd_credit(), amount_cents=12.5), "invalid_type", "amount_cents")
    _refused(_with_entry(ccd_credit(), amount_cents=True), "invalid_type", "amount_cents")


def test_live_entry_needs_money_and_prenote_must_not_have_any():
    _refused(_with_entry(ccd_credit(), amount_cents=0), "zero_amount", "amount_cents")
    _refused(_with_entry(ccd_credit(), transaction_code=23), "prenote_nonzero_amount", "amount_cents")


def test_credit_code_in_a_debits_only_batch():
    debits = _with_batch(ccd_credit(), service_class=225)
    _refused(debits, "transaction_code_service_class", "transaction_code")
    _refused(_with_entry(ccd_credit(), transaction_code=90), "invalid_transaction_code", "transaction_code")


def test_ccd_and_ppd_take_at_most_one_addenda():
    two = [Addenda05("RMR*IV*1*PI*1.00\\"), Addenda05("RMR*IV*2*PI*1.00\\")]
    _refused(_with_entry(ccd_credit(), addenda=two), "sec_addenda_limit", "addenda")
    ppd = _with_batch(ccd_credit(), sec_code="PPD")
    _refused(_with_entry(ppd, addenda=two), "sec_addenda_limit", "addenda")


def test_addenda_text_longer_than_eighty_characters():
    _refused(_with_entry(ccd_credit(), addenda=[Addenda05("X" * 81)]), "field_too_long", "payment_related_information")


def test_traces_must_carry_the_odfi_prefix_ascend_and_be_unique():
    f = ccd_credit()
    _refused(_with_entry(f, 0, trace_number="091000020000001"), "trace_prefix", "trace_number")
    _refused(_with_entry(f, 2, trace_number="091000010000000"), "trace_not_ascending", "trace_number")
    _refused(_with_entry(f, 2, trace_number="091000010000001"), "duplicate_trace", "trace_number")
    _refused(_with_entry(f, 0, trace_number="09100001000001"), "invalid_format", "trace_number")
    twice = replace(f, batches=[f.batches[0], replace(f.batches[0], company_name="CITY PARKS")])
    _refused(twice, "duplicate_trace", "trace_number")


def test_batch_and_file_header_fields():
    _refused(_with_batch(ccd_credit(), odfi_id="0910000"), "invalid_format", "odfi_id")
    _refused(_with_batch(ccd_credit(), sec_code="IAT"), "unsupported_sec_code", "sec_code")
    _refused(_with_batch(ccd_credit(), sec_code="XYZ"), "invalid_sec_code", "sec_code")
    _refused(_with_batch(ccd_credit(), service_class=280), "unsupported_sec_code", "service_class")
    _refused(_with_batch(ccd_credit(), company_id=" "), "required", "company_id")
    _refused(_with_batch(ccd_credit(), originator_status=0), "invalid_originator_status", "originator_status")
    _refused(_with_batch(ccd_credit(), originator_status=1.0), "invalid_originator_status", "originator_status")
    _refused(_with_batch(ccd_credit(), service_class=220.0), "invalid_service_class", "service_class")
    _refused(_with_batch(ccd_credit(), entries=[]), "batch_without_entries", "entries")
    _refused(replace(ccd_credit(), immediate_destination="091000018"), "routing_check_digit", "immediate_destination")
    _refused(replace(ccd_credit(), file_id_modifier="a1"), "field_too_long", "file_id_modifier")
    _refused(replace(ccd_credit(), batches=[]), "empty_file", "batches")


def test_returns_and_nocs_need_return_codes_and_their_addenda():
    r = returns()
    _refused(_with_entry(r, transaction_code=22), "return_transaction_code", "transaction_code")
    bad_reason = replace(r.batches[0].entries[0].addenda[0], reason_code="R96")
    _refused(_with_entry(r, addenda=[bad_reason]), "invalid_return_code", "addenda[0].reason_code")
    n = noc()
    bad_change = replace(n.batches[0].entries[0].addenda[0], change_code="C11")
    _refused(_with_entry(n, addenda=[bad_change]), "invalid_change_code", "addenda[0].change_code")
    _refused(_with_entry(n, amount_cents=5), "noc_nonzero_amount", "amount_cents")
    bad_routing = replace(n.batches[0].entries[1].addenda[0], corrected_data="231380105" + " " * 20)
    _refused(_with_entry(n, 1, addenda=[bad_routing]), "invalid_corrected_data", "addenda[0].corrected_data")
    # an Addenda98 outside a COR batch, a live code with an Addenda99 in a forward batch
    moved = _with_entry(ccd_credit(), transaction_code=21, addenda=[n.batches[0].entries[0].addenda[0]])
    _refused(moved, "invalid_addenda_type", "addenda")
    _refused(_with_entry(ccd_credit(), addenda=[r.batches[0].entries[0].addenda[0]]), "return_transaction_code", "transaction_code")
    _refused(_with_entry(ccd_credit(), transaction_code=21), "return_transaction_code", "transaction_code")


def test_text_fields_must_be_strings():
    _refused(_with_entry(ccd_credit(), account_number=4400019921), "invalid_type", "account_number")
    _refused(_with_entry(ccd_plus_rmr(), addenda=[Addenda05(12)]), "invalid_type", "payment_related_information")
    bad_dod = Addenda99(reason_code="R15", original_trace="091000010000001", original_rdfi="23138010", date_of_death="251228")
    _refused(_with_entry(returns(), addenda=[bad_dod]), "invalid_type", "addenda[0].date_of_death")
    short = Addenda98(change_code="C01", original_trace="0910000100001", original_rdfi="23138010", corrected_data="1")
    _refused(_with_entry(noc(), addenda=[short]), "invalid_format", "addenda[0].original_trace")


def test_rmr_helper_refuses_separators_and_long_segments():
    assert rmr_addenda("INV-7", 1234).payment_related_information == "RMR*IV*INV-7*PI*12.34\\"
    assert rmr_addenda("INV-7", 1234, discount_cents=66).payment_related_information == "RMR*IV*INV-7*PI*12.34**0.66\\"
    with pytest.raises(NachaBuildError) as info:
        rmr_addenda("INV*7", 1234)
    assert info.value.code == "invalid_format"
    with pytest.raises(NachaBuildError) as info:
        rmr_addenda("I" * 30, 9_999_999_999, 999_999_999_999, 999_999_999_999)
    assert (info.value.code, info.value.field) == ("field_too_long", "payment_related_information")
    with pytest.raises(NachaBuildError):
        rmr_addenda("INV-7", 12.34)


def test_ctx_remittance_beyond_9999_addenda_is_refused():
    huge = replace(ctx_remittance(), invoices=[
        InvoiceRemittance(invoice_number=f"INV-{i:07d}", paid_cents=100) for i in range(30_000)
    ])
    with pytest.raises(NachaBuildError) as info:
        ctx_addenda(huge)
    assert info.value.code == "sec_addenda_limit"
    assert isinstance(huge, Remittance820)


def test_the_dataclasses_are_frozen():
    entry = ccd_credit().batches[0].entries[0]
    with pytest.raises(AttributeError):
        entry.amount_cents = 1  # type: ignore[misc]
    assert isinstance(entry, Entry) and date(2026, 1, 6) == ccd_credit().batches[0].effective_date
