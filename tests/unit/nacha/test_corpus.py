"""Every file of the external conformance corpus (../shared/testdata/nacha) gets the verdict its README gives.

valid   -> no errors, in lenient and in strict mode (warnings allowed: e.g. traces repeating across batches)
lenient -> accepted with at least one warning in lenient mode, rejected in strict mode
invalid -> rejected in both modes, and the rule the README names is reported on the right line and field
"""

from __future__ import annotations

import gzip

import pytest

from adapters.formats.nacha import read
from tests.corpus import corpus_dir

VALID = [
    "ccd-debit-vendor-and-fee.ach",
    "ccd-mixed-offset-a.ach",
    "ccd-mixed-offset-b.ach",
    "ctx-debit-two-addenda.ach",
    "ppd-credit-single.ach",
    "ppd-credit-two-entries.ach",
    "ppd-debit-single.ach",
    "ppd-credit-5000-addenda-hash-overflow.ach",
    "ppd-credit-200-batches.ach.gz",
    "web-credit-addenda.ach",
    "web-credit-two-entries.ach",
    "pos-debit-addenda02.ach",
    "return-contested-dishonored-r72.ach",
    "noc-cor-c01-account-number.ach",
]
LENIENT = {
    # file -> the rules that make it lenient (warnings in lenient mode, errors in strict mode)
    "lenient-web-zero-sequence-short-control.ach": [("record_trimmed", 6, None)],
    "return-iat-r01.ach": [("return_transaction_code", 3, "transaction_code")],
    "noc-iat-cor-c01.ach": [("noc_nonzero_amount", 3, "amount"), ("company_id_padding", 12, "company_identification")],
}
INVALID = {
    # file -> (rule, line, field) the README names; line None = anywhere
    "return-web-r01-batch-only.ach": [("missing_file_header", 1, None), ("missing_file_control", 4, None), ("block_fill", None, None)],
    "invalid-return-iat-code-r96.ach": [("invalid_return_code", 11, "return_reason_code")],
    "invalid-noc-iat-code-c78.ach": [("invalid_change_code", 11, "change_code")],
    "invalid-trace-prefix-not-odfi.ach": [("trace_prefix", 3, "trace_number")],
    "invalid-name-control-char.ach": [("non_ascii", 3, "receiver_name")],
    "invalid-file-control-zero-count-adv.ach": [("entry_addenda_count_mismatch", 6, "entry_addenda_count")],
    "invalid-no-file-control-adv.ach": [("missing_file_control", 5, None)],
    "invalid-addenda-without-entry-adv.ach": [
        ("addenda_outside_entry", 3, None), ("batch_without_entries", 2, None), ("block_fill", None, None),
    ],
    "invalid-service-class-100-iat.ach": [
        ("invalid_service_class", 2, "service_class_code"), ("routing_check_digit", 1, "immediate_destination"),
    ],
    "invalid-transaction-code-90-iat.ach": [
        ("invalid_transaction_code", 3, "transaction_code"), ("routing_check_digit", 1, "immediate_destination"),
    ],
    "invalid-batch-control-odfi-iat.ach": [
        ("odfi_mismatch", 11, "odfi_identification"), ("batch_number_mismatch", 11, "batch_number"),
    ],
    "invalid-addenda-indicator-iat.ach": [("addenda_indicator", 3, "addenda_record_indicator")],
    "invalid-batch-count-ppd-iat.ach": [("batch_count_mismatch", 93, "batch_count"), ("block_fill", None, None)],
    "invalid-blank-destination.ach": [
        ("required", 1, "immediate_destination"),
        ("invalid_originator_status", 2, "originator_status_code"),
        ("required", 2, "odfi_identification"),
        ("trace_not_ascending", 4, "trace_number"),
    ],
    "invalid-fuzz-crasher-2.ach": [("missing_file_header", 1, None), ("missing_file_control", None, None)],
    "invalid-fuzz-crasher-5.ach": [("non_ascii", 1, None), ("missing_file_header", 1, None)],
}


def _load(name: str) -> bytes:
    data = (corpus_dir("nacha") / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


def _errors(result, rule, line, field):
    return [p for p in result.problems if p.rule == rule and (line is None or p.line == line) and (field is None or p.field == field)]


def test_the_table_covers_every_corpus_file():
    names = {p.name for p in corpus_dir("nacha").iterdir()}
    assert names == set(VALID) | set(LENIENT) | set(INVALID)


@pytest.mark.parametrize("name", VALID)
def test_valid_corpus_files_have_no_errors_in_either_mode(name):
    data = _load(name)
    for strict in (False, True):
        result = read(data, strict=strict)
        assert result.ok, [str(p) for p in result.problems]


@pytest.mark.parametrize("name", sorted(LENIENT))
def test_lenient_corpus_files_pass_with_warnings_but_fail_strict(name):
    data = _load(name)
    lenient = read(data)
    assert lenient.ok, [str(p) for p in lenient.problems]
    strict = read(data, strict=True)
    assert not strict.ok
    for rule, line, field in LENIENT[name]:
        assert any(w.rule == rule and w.line == line and (field is None or w.field == field) for w in lenient.warnings), rule
        assert _errors(strict, rule, line, field), rule


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_corpus_files_report_the_named_rule_on_the_right_line(name):
    data = _load(name)
    for strict in (False, True):
        result = read(data, strict=strict)
        assert not result.ok
        for rule, line, field in INVALID[name]:
            assert _errors(result, rule, line, field), f"{rule} line {line} {field}: {[str(p) for p in result.problems]}"


def test_entry_hash_overflow_keeps_the_low_ten_digits():
    result = read(_load("ppd-credit-5000-addenda-hash-overflow.ach"))
    assert result.ok
    assert len(result.batches) == 4 and result.entry_count() == 5000 and result.addenda_count() == 5000
    assert {b.control.entry_hash for b in result.batches} == {"8922512500"}  # 28,922,512,500 -> low 10 digits
    assert result.file_control.entry_hash == "5690050000"  # 115,690,050,000
    (repeat,) = [w for w in result.warnings if w.rule == "trace_repeated"]
    assert repeat.message.startswith("3750 trace number(s) in 3 batch(es)")


def test_two_hundred_batch_file_reads_with_its_totals():
    result = read(_load("ppd-credit-200-batches.ach.gz"))
    assert result.ok
    assert len(result.batches) == 200 and result.entry_count() == 100_199
    assert max(len(b.entries) for b in result.batches) == 92_604
    assert result.credit_cents() == 99_999 * 1234 + 200 * 100_000_000
    assert int(result.file_control.total_credit_amount) == result.credit_cents()
    (repeat,) = [w for w in result.warnings if w.rule == "trace_repeated"]
    assert repeat.message.startswith("7595 trace number(s)")


def test_contested_dishonored_return_exposes_every_field():
    (r,) = read(_load("return-contested-dishonored-r72.ach")).returns
    assert (r.reason_code, r.variant, r.reason) == ("R72", "contested", "Untimely dishonored return")
    assert r.original_trace == "123456780000069"
    assert r.original_rdfi == "75639218"
    assert (r.return_trace_number, r.return_settlement_date, r.return_reason_code) == ("756392180000001", "067", "01")
    assert (r.dishonored_return_trace_number, r.dishonored_return_settlement_date, r.dishonored_return_reason_code) == (
        "123456780000070", "218", "68")
    assert r.date_original_entry_returned == "" and r.original_settlement_date == ""
    assert r.amount_cents == 1560 and r.transaction_code == 21


def test_noc_from_the_corpus_carries_the_corrected_account():
    (c,) = read(_load("noc-cor-c01-account-number.ach")).changes
    assert (c.change_code, c.original_trace, c.original_rdfi) == ("C01", "121042880000001", "12104288")
    assert c.corrected_data == "1918171614" and c.corrected.account_number == "1918171614"


def test_return_without_file_header_is_still_parsed_with_errors():
    result = read(_load("return-web-r01-batch-only.ach"))
    (r,) = result.returns
    assert (r.reason_code, r.original_trace, r.original_rdfi, r.amount_cents) == ("R01", "091400600000001", "09100001", 12354)
    assert len(result.batches) == 1 and result.entry_count() == 1


def test_web_file_without_final_newline_is_clean():
    assert not _load("web-credit-addenda.ach").endswith(b"\n")
    result = read(_load("web-credit-addenda.ach"), strict=True)
    assert result.ok and result.warnings == []
    assert result.credit_cents() == 10_000
