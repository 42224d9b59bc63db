"""Each kind of corruption of a good file is rejected, naming the line and the field.

The starting point is the CCD+ golden file (City of Springfield pays three vendors, one RMR addenda each):

    1 file header   2 batch header   3 entry   4 addenda   5 entry   6 addenda   7 entry   8 addenda
    9 batch control   10 file control   (no fill: exactly 10 records)
"""

from __future__ import annotations

import pytest

from adapters.formats.nacha import read

from .golden import DATA_DIR


def _lines(name: str = "ccd_plus_rmr.ach") -> list[str]:
    return (DATA_DIR / name).read_text("ascii").split("\n")[:-1]


def _bytes(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("latin-1")


def _set(line: str, start: int, text: str) -> str:
    """Overwrite 1-based position ``start`` onwards with ``text``."""
    return line[: start - 1] + text + line[start - 1 + len(text):]


def _reported(result, rule: str, line: int | None = None, field: str | None = None) -> bool:
    return any(
        p.rule == rule and (line is None or p.line == line) and (field is None or p.field == field)
        for p in result.problems
    )


def test_the_starting_file_is_clean():
    result = read(_bytes(_lines()), strict=True)
    assert result.ok and not result.warnings


def test_flipped_amount_breaks_the_batch_and_file_credit_totals():
    lines = _lines()
    lines[4] = _set(lines[4], 30, "0000087316")  # second vendor: $873.15 -> $873.16
    result = read(_bytes(lines))
    assert _reported(result, "credit_total_mismatch", 9, "total_credit_amount")
    assert _reported(result, "credit_total_mismatch", 10, "total_credit_amount")
    assert not _reported(result, "entry_hash_mismatch")


def test_broken_entry_hash_in_the_batch_control():
    lines = _lines()
    lines[8] = _set(lines[8], 11, "0042342329")
    result = read(_bytes(lines))
    assert _reported(result, "entry_hash_mismatch", 9, "entry_hash")
    assert not _reported(result, "entry_hash_mismatch", 10)  # the file control still matches the records


def test_file_control_is_checked_against_the_records_not_recomputed():
    lines = _lines()
    lines[9] = _set(lines[9], 22, "9999999999")  # moov's own tests read such a file without error
    result = read(_bytes(lines))
    assert _reported(result, "entry_hash_mismatch", 10, "entry_hash")


def test_dropped_addenda_record():
    lines = _lines()
    del lines[3]
    result = read(_bytes(lines))
    assert _reported(result, "addenda_indicator", 3, "addenda_record_indicator")
    assert _reported(result, "entry_addenda_count_mismatch", 8, "entry_addenda_count")
    assert _reported(result, "entry_addenda_count_mismatch", 9, "entry_addenda_count")
    assert _reported(result, "block_fill")


def test_dropped_entry_record_leaves_its_addenda_on_the_wrong_entry():
    lines = _lines()
    del lines[4]  # the second entry; its addenda now follows the first entry's addenda
    result = read(_bytes(lines))
    assert _reported(result, "sec_addenda_limit", 5)
    assert _reported(result, "credit_total_mismatch", 8)
    assert _reported(result, "entry_hash_mismatch", 8)


def test_bad_routing_check_digit():
    lines = _lines()
    lines[2] = _set(lines[2], 12, "5")  # 23138010 needs 4
    result = read(_bytes(lines))
    assert _reported(result, "routing_check_digit", 3, "check_digit")


def test_wrong_block_count():
    lines = _lines()
    lines[9] = _set(lines[9], 8, "000002")
    result = read(_bytes(lines))
    assert _reported(result, "block_count_mismatch", 10, "block_count")


def test_missing_nine_fill():
    lines = _lines("ppd_credit.ach")  # 6 records + 4 fill
    result = read(_bytes(lines[:-1]))
    assert _reported(result, "block_fill", 9)
    assert not _reported(result, "block_count_mismatch")  # 9 records still need one block


def test_trimmed_record_is_a_warning_when_lenient_and_an_error_when_strict():
    lines = _lines()
    lines[9] = lines[9].rstrip()  # the file control ends in 39 reserved blanks; banks often trim them
    lenient = read(_bytes(lines))
    assert lenient.ok
    assert [(w.rule, w.line) for w in lenient.warnings] == [("record_trimmed", 10)]
    strict = read(_bytes(lines), strict=True)
    assert _reported(strict, "record_trimmed", 10)


def test_file_without_line_breaks():
    data = "".join(_lines()).encode()
    assert read(data).ok and read(data).warnings[0].rule == "missing_line_breaks"
    assert _reported(read(data, strict=True), "missing_line_breaks", 1)


def test_crlf_line_endings_are_accepted_silently():
    data = _bytes(_lines()).replace(b"\n", b"\r\n")
    result = read(data, strict=True)
    assert result.ok and not result.warnings


def test_non_ascii_name():
    lines = _lines()
    lines[2] = _set(lines[2], 55, "ACMÉ")
    result = read(_bytes(lines))
    assert _reported(result, "non_ascii", 3, "receiver_name")


def test_odd_line_length_is_an_error():
    lines = _lines()
    lines[2] = lines[2] + "X"
    result = read(_bytes(lines))
    assert _reported(result, "record_length", 3)


def test_trace_numbers_out_of_order():
    lines = _lines()
    lines[2:4], lines[4:6] = lines[4:6], lines[2:4]
    result = read(_bytes(lines))
    assert _reported(result, "trace_not_ascending", 5, "trace_number")


def test_trace_without_the_odfi_prefix():
    lines = _lines()
    lines[6] = _set(lines[6], 80, "091000020000003")
    lines[7] = _set(lines[7], 88, "0000003")
    result = read(_bytes(lines))
    assert _reported(result, "trace_prefix", 7, "trace_number")


def test_debit_code_in_a_credits_only_batch():
    lines = _lines()
    lines[2] = _set(lines[2], 2, "27")
    result = read(_bytes(lines))
    assert _reported(result, "transaction_code_service_class", 3, "transaction_code")


def test_unknown_transaction_code():
    lines = _lines()
    lines[2] = _set(lines[2], 2, "25")
    result = read(_bytes(lines))
    assert _reported(result, "invalid_transaction_code", 3, "transaction_code")


def test_addenda_sequence_and_entry_sequence():
    lines = _lines()
    lines[3] = _set(lines[3], 84, "0002")
    lines[5] = _set(lines[5], 88, "0000009")
    result = read(_bytes(lines))
    assert _reported(result, "addenda_sequence", 4, "addenda_sequence_number")
    assert _reported(result, "addenda_entry_sequence", 6, "entry_detail_sequence_number")


def test_second_addenda_on_a_ccd_entry():
    lines = _lines()
    lines.insert(4, _set(lines[3], 84, "0002"))
    result = read(_bytes(lines))
    assert _reported(result, "sec_addenda_limit", 5)


def test_ctx_addenda_count_disagrees():
    lines = _lines("ctx_820.ach")
    lines[2] = _set(lines[2], 55, "0012")
    result = read(_bytes(lines))
    assert _reported(result, "addenda_count_mismatch", 3, "number_of_addenda_records")


def test_batch_control_disagrees_with_its_header():
    lines = _lines()
    lines[8] = _set(lines[8], 2, "200")
    lines[8] = _set(lines[8], 45, "9999999999")
    lines[8] = _set(lines[8], 88, "0000002")
    result = read(_bytes(lines))
    assert _reported(result, "service_class_mismatch", 9, "service_class_code")
    assert _reported(result, "company_id_mismatch", 9, "company_identification")
    assert _reported(result, "batch_number_mismatch", 9, "batch_number")


def test_file_control_batch_count():
    lines = _lines()
    lines[9] = _set(lines[9], 2, "000002")
    result = read(_bytes(lines))
    assert _reported(result, "batch_count_mismatch", 10, "batch_count")


def test_entry_after_the_batch_control():
    lines = _lines()
    lines.insert(9, lines[2])
    result = read(_bytes(lines))
    assert _reported(result, "record_order", 10)


def test_missing_batch_control():
    lines = _lines()
    del lines[8]
    result = read(_bytes(lines))
    assert _reported(result, "missing_batch_control", 2)


def test_invalid_return_and_change_codes():
    ret = _lines("return.ach")
    ret[3] = _set(ret[3], 4, "R96")
    assert _reported(read(_bytes(ret)), "invalid_return_code", 4, "return_reason_code")
    noc = _lines("noc.ach")
    noc[3] = _set(noc[3], 4, "C10")
    result = read(_bytes(noc))
    assert _reported(result, "invalid_change_code", 4, "change_code")
    assert "not guessing" in result.problems[0].message


def test_forward_code_on_a_return_is_lenient():
    ret = _lines("return.ach")
    ret[2] = _set(ret[2], 2, "22")
    assert read(_bytes(ret)).ok
    assert _reported(read(_bytes(ret), strict=True), "return_transaction_code", 3, "transaction_code")


def test_cor_entry_without_its_addenda98():
    noc = _lines("noc.ach")
    noc[2] = _set(noc[2], 79, "0")
    del noc[3]
    result = read(_bytes(noc))
    assert _reported(result, "cor_without_addenda98", 3)


def test_prenote_with_money_and_live_entry_without():
    lines = _lines("prenote.ach")
    lines[2] = _set(lines[2], 30, "0000000100")
    assert _reported(read(_bytes(lines)), "prenote_nonzero_amount", 3, "amount")
    lines = _lines("ccd_credit.ach")
    lines[2] = _set(lines[2], 30, "0000000000")
    assert _reported(read(_bytes(lines)), "zero_amount", 3, "amount")


@pytest.mark.parametrize("garbage", [b"", b"\n\n", b"hello", bytes(range(256)), b"1" * 94, b"9" * 940])
def test_garbage_never_raises(garbage):
    result = read(garbage)
    assert not result.ok


def test_latin1_digit_lookalikes_in_numeric_fields_do_not_crash():
    """Regression: bytes 0xB2/0xB3/0xB9 decode to '²³¹', which str.isdigit() accepts but int() refuses."""
    lines = _lines("ctx_820.ach")
    lines[1] = _set(lines[1], 2, "²²²")  # service class
    lines[2] = _set(lines[2], 55, "¹³")  # CTX addenda count
    lines[2] = _set(lines[2], 30, "³")  # amount
    result = read(_bytes(lines))
    assert _reported(result, "non_ascii", 2, "service_class_code")
    assert _reported(result, "non_ascii", 3)


def test_corrected_data_must_suit_the_change_code():
    noc = _lines("noc.ach")
    noc[5] = _set(noc[5], 36, "231380105")  # C07: corrected routing with a bad check digit
    noc[3] = _set(noc[3], 36, " " * 29)  # C01: no corrected account number
    result = read(_bytes(noc))
    assert _reported(result, "invalid_corrected_data", 4, "corrected_data")
    assert _reported(result, "invalid_corrected_data", 6, "corrected_data")
