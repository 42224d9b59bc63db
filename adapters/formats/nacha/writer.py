"""The builder: frozen dataclasses in, a strict NACHA file out.

It computes everything derivable - batch numbers, entry/addenda counts, entry hashes (low 10 digits),
debit/credit totals, the File Control, the block count and the 9-fill to a multiple of 10 records - and
refuses input it cannot write correctly with a :class:`NachaBuildError` naming the object and field.
Output: 94-character records, uppercase, printable ASCII only, ``\\n`` after every record (no CR).

Speed: a 100,000-entry CCD+ file is one pass. Each record is one f-string; instead of validating every
text field up front, the finished record is checked once (length 94, printable ASCII) and only when that
fails are the fields examined one by one to name the culprit. Routing numbers are check-digit-validated
once per distinct number.

Builder error codes (``NachaBuildError.code``) reuse the reader's rule names where one fits
(``routing_check_digit``, ``non_ascii``, ``required``, ``trace_prefix``, ``trace_not_ascending``,
``transaction_code_service_class``, ``sec_addenda_limit`` ...) and add ``field_too_long``,
``amount_out_of_range``, ``invalid_type``, ``duplicate_trace`` and ``unsupported_sec_code``.
"""

from __future__ import annotations

import re
from datetime import date, time

from .addenda05 import Addenda05, format_addenda05
from .addenda98 import Addenda98, format_addenda98
from .addenda99 import Addenda99, format_addenda99
from .batch_control import format_batch_control
from .batch_header import Batch, format_batch_header
from .change_codes import CHANGE_REASONS, corrected_data_problem
from .entry_detail import Entry, format_ctx_entry, format_entry
from .errors import NachaBuildError
from .fields import is_digits, is_printable_ascii, is_valid_routing
from .file_control import BLOCKING_FACTOR, FILL_RECORD, format_file_control
from .file_header import NachaFile, format_file_header
from .return_codes import RETURN_REASONS
from .sec_codes import MAX_FORWARD_ADDENDA, STANDARD_SEC_CODES, WRITABLE_SEC_CODES
from .transaction_codes import (
    CREDIT_CODES,
    DEBIT_CODES,
    LIVE_CODES,
    PRENOTE_CODES,
    RETURN_CODES,
    ZERO_DOLLAR_CODES,
)

MAX_ENTRY_AMOUNT = 9_999_999_999  # 10 digits of cents
MAX_TOTAL = 999_999_999_999  # 12 digits
_ALLOWED_TC = {
    200: {c: c in CREDIT_CODES for c in CREDIT_CODES | DEBIT_CODES if c < 80},
    220: {c: True for c in CREDIT_CODES if c < 80},
    225: {c: False for c in DEBIT_CODES if c < 80},
}


def _fail(code: str, where: str, field: str, reason: str) -> NachaBuildError:
    return NachaBuildError(code, where, field, reason)


def _text(where: str, field: str, value: object, max_len: int, required: bool = False) -> str:
    if not isinstance(value, str):
        raise _fail("invalid_type", where, field, f"must be a str, got {type(value).__name__}")
    if not is_printable_ascii(value):
        bad = next(ch for ch in value if not (" " <= ch <= "~"))
        raise _fail("non_ascii", where, field, f"holds {bad!r}; only printable ASCII (0x20-0x7E) is allowed")
    if len(value) > max_len:
        raise _fail("field_too_long", where, field, f"is {len(value)} characters ({value!r}); at most {max_len} fit")
    if required and not value.strip():
        raise _fail("required", where, field, "is required and blank")
    return value


def _routing(where: str, field: str, value: object) -> str:
    if not isinstance(value, str) or not is_digits(value, 9):
        raise _fail("invalid_format", where, field, f"{value!r} is not a 9-digit routing number")
    if value == "000000000":
        raise _fail("required", where, field, "is all zeros; a real routing number is required")
    if not is_valid_routing(value):
        raise _fail("routing_check_digit", where, field, f"{value} fails the ABA check digit")
    return value


def render_lines(f: NachaFile) -> list[str]:
    """All records of the file, 9-fill included, as 94-character strings (not yet uppercased)."""
    where = "file"
    _routing(where, "immediate_destination", f.immediate_destination)
    origin = f.immediate_origin
    if isinstance(origin, str) and is_digits(origin, 9):
        origin10 = " " + _routing(where, "immediate_origin", origin)
    else:
        origin10 = _text(where, "immediate_origin", origin, 10, required=True).rjust(10)
    if not isinstance(f.creation_date, date):
        raise _fail("invalid_type", where, "creation_date", "must be a datetime.date")
    if f.creation_time is not None and not isinstance(f.creation_time, time):
        raise _fail("invalid_type", where, "creation_time", "must be a datetime.time or None")
    mod = _text(where, "file_id_modifier", f.file_id_modifier, 1, required=True).upper()
    if not (mod.isdigit() or mod.isalpha()):
        raise _fail("invalid_format", where, "file_id_modifier", f"{mod!r} must be A-Z or 0-9")
    _text(where, "immediate_destination_name", f.immediate_destination_name, 23)
    _text(where, "immediate_origin_name", f.immediate_origin_name, 23)
    _text(where, "reference_code", f.reference_code, 8)
    if not f.batches:
        raise _fail("empty_file", where, "batches", "is empty; a file needs at least one batch")
    if len(f.batches) > 999_999:
        raise _fail("amount_out_of_range", where, "batches", "more than 999,999 batches do not fit the File Control")

    lines = [format_file_header(f, origin10)]
    state = _FileState()
    for number, batch in enumerate(f.batches, 1):
        _write_batch(batch, number, lines, state)

    for name, total in (("total debits", state.debit), ("total credits", state.credit)):
        if total > MAX_TOTAL:
            raise _fail("amount_out_of_range", where, "batches", f"{name} {total} cents exceed 12 digits")
    if state.count > 99_999_999:
        raise _fail("amount_out_of_range", where, "batches", "more than 99,999,999 entry and addenda records")
    records = len(lines) + 1
    blocks = -(-records // BLOCKING_FACTOR)
    lines.append(format_file_control(len(f.batches), blocks, state.count, state.hash, state.debit, state.credit))
    lines.extend([FILL_RECORD] * (blocks * BLOCKING_FACTOR - records))
    return lines


def write(f: NachaFile) -> bytes:
    """The file as bytes: uppercase ASCII records, each followed by ``\n``.

    Text fields are validated once, on the finished file: every record must be 94 printable ASCII
    characters, so the total length and one byte scan prove it; only if that fails are the input fields
    examined one by one (:func:`_diagnose_text`) to raise an error naming the culprit.
    """
    lines = render_lines(f)
    lines.append("")
    text = "\n".join(lines)
    records = len(lines) - 1
    if len(text) != 95 * records or not text.isascii() or text.count("\n") != records:
        _diagnose_text(f)
    data = text.upper().encode("ascii")
    if data.translate(None, _PRINTABLE_AND_NEWLINE):
        _diagnose_text(f)
    return data


_PRINTABLE_AND_NEWLINE = bytes(range(0x20, 0x7F)) + b"\n"
_TRACE = re.compile(r"[0-9]{15}").fullmatch
_KIND = {Addenda05: "05", Addenda98: "98", Addenda99: "99"}


class _FileState:
    __slots__ = ("count", "hash", "debit", "credit", "traces", "routings")

    def __init__(self) -> None:
        self.count = self.hash = self.debit = self.credit = 0
        self.traces: set[str] = set()
        self.routings: set[str] = set()  # routing numbers already check-digit-validated


def _check_batch_header(b: Batch, where: str) -> None:
    if type(b.service_class) is not int or b.service_class not in _ALLOWED_TC:
        if b.service_class == 280:
            raise _fail("unsupported_sec_code", where, "service_class", "280 (ADV) files are produced by ACH Operators, not written here")
        raise _fail("invalid_service_class", where, "service_class", f"{b.service_class!r} is not 200, 220 or 225")
    if b.sec_code not in WRITABLE_SEC_CODES:
        code = "unsupported_sec_code" if b.sec_code in STANDARD_SEC_CODES else "invalid_sec_code"
        raise _fail(code, where, "sec_code", f"{b.sec_code!r} is not one of {', '.join(sorted(WRITABLE_SEC_CODES))}")
    _text(where, "company_name", b.company_name, 16, required=True)
    _text(where, "company_id", b.company_id, 10, required=True)
    _text(where, "entry_description", b.entry_description, 10, required=True)
    _text(where, "company_discretionary", b.company_discretionary, 20)
    _text(where, "descriptive_date", b.descriptive_date, 6)
    if not isinstance(b.effective_date, date):
        raise _fail("invalid_type", where, "effective_date", "must be a datetime.date")
    if not isinstance(b.odfi_id, str) or not is_digits(b.odfi_id, 8) or b.odfi_id == "00000000":
        raise _fail("invalid_format", where, "odfi_id", f"{b.odfi_id!r} must be the first 8 digits of the ODFI routing number")
    if type(b.originator_status) is not int or b.originator_status not in (1, 2):
        raise _fail("invalid_originator_status", where, "originator_status", f"{b.originator_status!r} must be 1 or 2")
    if not b.entries:
        raise _fail("batch_without_entries", where, "entries", "is empty; a batch needs at least one entry")


def _entry_where(batch_where: str, index: int, e: Entry) -> str:
    return f"{batch_where}, entry {index} (trace {e.trace_number})"


def _write_batch(b: Batch, number: int, lines: list[str], st: _FileState) -> None:
    """One batch. The loop does only what cannot be deferred: codes, amounts, routings, traces, SEC rules."""
    where = f"batch {number} ({b.sec_code!s})"
    _check_batch_header(b, where)
    lines.append(format_batch_header(b, number))
    sec = b.sec_code
    allowed = _ALLOWED_TC[b.service_class]
    ctx = sec == "CTX"
    cor = sec == "COR"
    max05 = MAX_FORWARD_ADDENDA.get(sec, ("05", 0))[1]
    odfi = b.odfi_id
    traces = st.traces
    add_trace = traces.add
    routings = st.routings
    count = h = debit = credit = 0
    last = ""
    append = lines.append
    i = 0
    for e in b.entries:
        i += 1
        trace = e.trace_number
        if type(trace) is not str or _TRACE(trace) is None or not trace.startswith(odfi) or trace <= last or trace in traces:
            _bad_trace(trace, odfi, last, traces, _entry_where(where, i, e))
        add_trace(trace)
        last = trace
        tc = e.transaction_code
        is_credit = allowed.get(tc) if type(tc) is int else None
        amount = e.amount_cents
        if is_credit is None or type(amount) is not int or not 0 <= amount <= MAX_ENTRY_AMOUNT:
            _bad_code_or_amount(tc, amount, b.service_class, _entry_where(where, i, e))
        routing = e.rdfi_routing
        if routing not in routings:
            routings.add(_routing(_entry_where(where, i, e), "rdfi_routing", routing))
        addenda = e.addenda
        if addenda:
            n = len(addenda)
            kind = "05" if n == 1 and type(addenda[0]) is Addenda05 else _addenda_kind(addenda, _entry_where(where, i, e))
        else:
            n = 0
            kind = None
        if cor or n > max05 or amount == 0 or tc not in LIVE_CODES or (kind is not None and kind != "05"):
            _check_entry_rules(sec, tc, amount, n, kind, max05, cor, _entry_where(where, i, e))
        try:
            append(format_ctx_entry(e, n) if ctx else format_entry(e, "1" if n else "0"))
            if kind == "05":
                if n == 1:  # CCD+/PPD/WEB: the common case, no loop
                    append(format_addenda05(addenda[0].payment_related_information, 1, trace))  # type: ignore[union-attr]  # kind "05": _addenda_kind found every addenda an Addenda05
                else:
                    seq = 0
                    for a in addenda:
                        seq += 1
                        append(format_addenda05(a.payment_related_information, seq, trace))  # type: ignore[union-attr]  # kind "05": _addenda_kind found every addenda an Addenda05
            elif kind == "99":
                append(format_addenda99(addenda[0], trace))  # type: ignore[arg-type]  # kind "99": an Addenda99
            elif kind == "98":
                append(format_addenda98(addenda[0], trace))  # type: ignore[arg-type]  # kind "98": an Addenda98
        except (AttributeError, TypeError):  # a text field that is not a str: name it
            ew = _entry_where(where, i, e)
            _diagnose_entry(e, ew, 16 if ctx else 22, final=False)
            for seq, a in enumerate(addenda, 1):
                _diagnose_addenda(a, f"{ew}, addenda {seq}", final=False)
            raise
        count += 1 + n
        h += int(routing[:8])
        if is_credit:
            credit += amount
        else:
            debit += amount
    for name, total in (("total debits", debit), ("total credits", credit)):
        if total > MAX_TOTAL:
            raise _fail("amount_out_of_range", where, "entries", f"{name} {total} cents exceed 12 digits")
    if count > 999_999:
        raise _fail("amount_out_of_range", where, "entries", f"{count} entry and addenda records exceed 999,999")
    append(format_batch_control(b.service_class, count, h, debit, credit, b.company_id, odfi, number))
    st.count += count
    st.hash += h
    st.debit += debit
    st.credit += credit


def _bad_trace(trace: object, odfi: str, last: str, traces: set[str], where: str) -> None:
    if type(trace) is not str or _TRACE(trace) is None:
        raise _fail("invalid_format", where, "trace_number", f"{trace!r} is not 15 digits")
    if not trace.startswith(odfi):
        raise _fail("trace_prefix", where, "trace_number", f"must start with the batch's ODFI id {odfi}")
    if trace in traces:
        raise _fail("duplicate_trace", where, "trace_number", "is already used in this file")
    raise _fail("trace_not_ascending", where, "trace_number", f"must be greater than the previous trace {last}")


def _bad_code_or_amount(tc: object, amount: object, service_class: int, where: str) -> None:
    if type(tc) is not int or not (tc in CREDIT_CODES or tc in DEBIT_CODES) or tc > 80:
        raise _fail("invalid_transaction_code", where, "transaction_code", f"{tc!r} is not a Nacha transaction code")
    if service_class != 200 and (tc in CREDIT_CODES) != (service_class == 220):
        raise _fail("transaction_code_service_class", where, "transaction_code",
                    f"{tc} is a {'credit' if tc in CREDIT_CODES else 'debit'} code; not allowed in a service class {service_class} batch")
    if type(amount) is not int:
        raise _fail("invalid_type", where, "amount_cents", f"must be an int number of cents, got {type(amount).__name__}")
    raise _fail("amount_out_of_range", where, "amount_cents", f"{amount} is outside 0..{MAX_ENTRY_AMOUNT} cents (10 digits)")


def _addenda_kind(addenda, where: str) -> str:
    first = type(addenda[0])
    kind = _KIND.get(first)
    if kind is None or any(type(a) is not first for a in addenda):
        raise _fail("invalid_addenda_type", where, "addenda", "must all be Addenda05, or a single Addenda98 / Addenda99")
    if kind != "05" and len(addenda) != 1:
        raise _fail("sec_addenda_limit", where, "addenda", f"a return or NOC entry carries exactly one Addenda{kind}")
    if kind == "99":
        a = addenda[0]
        if a.date_of_death is not None and not isinstance(a.date_of_death, date):
            raise _fail("invalid_type", where, "addenda[0].date_of_death", "must be a datetime.date or None")
        _text(where, "addenda[0].information", a.information, 44)
        if a.reason_code not in RETURN_REASONS:
            raise _fail("invalid_return_code", where, "addenda[0].reason_code", f"{a.reason_code!r} is not a Nacha return reason code")
        _check_original(a, where)
    elif kind == "98":
        a = addenda[0]
        _text(where, "addenda[0].corrected_data", a.corrected_data, 29)
        if a.change_code not in CHANGE_REASONS:
            raise _fail("invalid_change_code", where, "addenda[0].change_code", f"{a.change_code!r} is not a current Nacha change code")
        why = corrected_data_problem(a.change_code, a.corrected_data)
        if why:
            raise _fail("invalid_corrected_data", where, "addenda[0].corrected_data", why)
        _check_original(a, where)
    return kind


def _check_original(a: Addenda98 | Addenda99, where: str) -> None:
    if not isinstance(a.original_trace, str) or not is_digits(a.original_trace, 15):
        raise _fail("invalid_format", where, "addenda[0].original_trace", f"{a.original_trace!r} is not 15 digits")
    if not isinstance(a.original_rdfi, str) or not is_digits(a.original_rdfi, 8):
        raise _fail("invalid_format", where, "addenda[0].original_rdfi", f"{a.original_rdfi!r} is not 8 digits")


def _check_entry_rules(sec: str, tc: int, amount: int, n: int, kind: str | None, max05: int, cor: bool, where: str) -> None:
    """Category, amount and SEC addenda rules (FORMATS.md §1.4, §1.5, §1.9, §1.10)."""
    if kind in ("98", "99") or cor:
        if tc not in RETURN_CODES:
            raise _fail("return_transaction_code", where, "transaction_code", f"{tc} is a forward code; returns and NOCs use 21/26/31/36/41/46/51/56")
        if cor and kind != "98":
            raise _fail("cor_without_addenda98", where, "addenda", "a COR entry carries exactly one Addenda98")
        if kind == "98" and not cor:
            raise _fail("invalid_addenda_type", where, "addenda", "an Addenda98 (NOC) belongs in a COR batch")
        if kind == "98" and amount != 0:
            raise _fail("noc_nonzero_amount", where, "amount_cents", "a notification of change is a zero-dollar entry")
        return
    if tc in RETURN_CODES:
        raise _fail("return_transaction_code", where, "transaction_code", f"{tc} is a return/NOC code; attach an Addenda99 or Addenda98")
    if n > max05:
        raise _fail("sec_addenda_limit", where, "addenda", f"{sec} allows at most {max05} Addenda05 per entry, got {n}")
    if tc in LIVE_CODES and amount == 0:
        raise _fail("zero_amount", where, "amount_cents", f"is 0 for live transaction code {tc}; use a prenote code for a zero-dollar test")
    if tc in PRENOTE_CODES and amount != 0:
        raise _fail("prenote_nonzero_amount", where, "amount_cents", f"must be 0 for prenote transaction code {tc}")
    if tc in ZERO_DOLLAR_CODES:
        if amount != 0:
            raise _fail("zero_amount", where, "amount_cents", f"must be 0 for zero-dollar transaction code {tc}")
        if sec not in ("CCD", "CTX") or n == 0:
            raise _fail("invalid_transaction_code", where, "transaction_code", f"{tc} needs a CCD/CTX batch and remittance addenda")


def _diagnose_text(f: NachaFile) -> None:
    """Slow path: find the text field that made the output invalid and raise an error naming it."""
    for number, b in enumerate(f.batches, 1):
        where = f"batch {number} ({b.sec_code!s})"
        for i, e in enumerate(b.entries, 1):
            ew = _entry_where(where, i, e)
            _diagnose_entry(e, ew, 16 if b.sec_code == "CTX" else 22, final=False)
            for seq, a in enumerate(e.addenda, 1):
                _diagnose_addenda(a, f"{ew}, addenda {seq}", final=False)
    raise _fail("invalid_format", "file", "batches", "does not format to 94-character printable ASCII records")


def _diagnose_entry(e: Entry, where: str, name_len: int, final: bool = True) -> None:
    _text(where, "account_number", e.account_number, 17, required=True)
    _text(where, "identification", e.identification, 15)
    _text(where, "receiver_name", e.receiver_name, name_len)
    _text(where, "discretionary", e.discretionary, 2)
    if final:
        raise _fail("invalid_format", where, "entry", "does not format to a 94-character printable record")


def _diagnose_addenda(a: object, where: str, final: bool = True) -> None:
    if isinstance(a, Addenda05):
        _text(where, "payment_related_information", a.payment_related_information, 80)
    elif isinstance(a, Addenda99):
        _text(where, "information", a.information, 44)
        if a.date_of_death is not None and not isinstance(a.date_of_death, date):
            raise _fail("invalid_type", where, "date_of_death", "must be a datetime.date or None")
    elif isinstance(a, Addenda98):
        _text(where, "corrected_data", a.corrected_data, 29)
    if final:
        raise _fail("invalid_format", where, "addenda", "does not format to a 94-character printable record")


__all__ = ["MAX_ENTRY_AMOUNT", "render_lines", "write"]
