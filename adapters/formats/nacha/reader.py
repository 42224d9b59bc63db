"""The validating reader: bytes in, every problem out, nothing mutated, nothing raised for bad content.

``read(data, strict=False)`` walks the records once. Each record type gets its field checks (the header and
control checks in their record modules; entries and addenda on a fast path of one compiled regex each), and
the walk carries the counts, entry hash and debit/credit totals that each Batch Control and the File Control
must match. Controls are compared *as written* against what was counted; nothing is recomputed first.

Leniency: see :mod:`.physical` for line structure and :mod:`.problems` for which rules are lenient. In
lenient mode (the default) those are warnings; with ``strict=True`` they are errors. Rules of the ``notice``
class (trace numbers repeating across batches, IAT/ADV read structurally) are warnings in both modes.

Reading is generic over SEC codes: any standard SEC code reads with the generic entry layout, CTX-style codes
with the addenda count at 55-58; IAT and ADV batches are read structurally (counts, hash, totals, traces,
return/change codes) and get a ``sec_not_validated`` notice rather than a crash or a false error.
"""

from __future__ import annotations

import re

from .addenda05 import ADDENDA05_MATCH, SEQUENCE_TEXT, ReadAddenda
from .batch_control import check_batch_control
from .batch_header import BatchHeaderView, check_batch_header
from .entry_detail import AMOUNT_SLICE, ENTRY_MATCH, ReadEntry, diagnose_entry, to_int
from .fields import parse_yymmdd, routing_check_digit
from .file_control import BLOCKING_FACTOR, FILL_RECORD, FileControlView, check_file_control
from .file_header import FileHeaderView, check_file_header
from .physical import split_records
from .problems import ERROR, Problem, severity_for
from .read_checks import BatchAcc, finish_entry, other_addenda
from .read_result import NachaReadResult, ReadBatch, RecordSource
from .sec_codes import COUNTED_ADDENDA_SEC_CODES, MAX_FORWARD_ADDENDA, STANDARD_SEC_CODES
from .transaction_codes import ALL_TC_TEXT, LIVE_CODES, PRENOTE_CODES, RETURN_CODES, TC_TEXT_FOR_SERVICE_CLASS

match_addenda05 = ADDENDA05_MATCH
_is_digits8 = re.compile(r"[0-9]{8}").fullmatch
_RETURN_TC_TEXT = frozenset(f"{c:02d}" for c in RETURN_CODES)
_LIVE_TEXT = frozenset(f"{c:02d}" for c in LIVE_CODES)
_PRENOTE_TEXT = frozenset(f"{c:02d}" for c in PRENOTE_CODES)
_TEN_DIGITS = 10_000_000_000


def read(data: bytes | bytearray | memoryview | str, *, strict: bool = False) -> NachaReadResult:
    """Read and validate a NACHA file. Never raises for bad content; see :class:`NachaReadResult`."""
    if isinstance(data, str):
        raw = data.encode("utf-8", "surrogateescape")
    elif isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
    else:
        raise TypeError(f"read() takes bytes or str, not {type(data).__name__}")
    return _Scan(strict).run(raw)


class _Scan:
    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.result = NachaReadResult(strict=strict)
        self.errors = self.result.problems
        self.warnings = self.result.warnings
        self.seen_traces: dict[str, int] = {}
        self.last_batch_number: str | None = None
        self.check_digits: dict[str, str] = {}  # RDFI 8 digits -> its check digit, computed once per RDFI
        self.closed: list[BatchAcc] = []
        self.totals = [0, 0, 0, 0]  # entry/addenda records, RDFI hash, debits, credits of all batches
        self.declared_blocks: int | None = None
        self.repeats = self.repeat_batches = 0
        self.first_repeat: tuple[str, int] | None = None

    def add(self, line: int, record_type: str, field: str | None, rule: str, message: str) -> None:
        severity = severity_for(rule, self.strict)
        problem = Problem(line, record_type, field, rule, message, severity)
        (self.errors if severity == ERROR else self.warnings).append(problem)

    # The walk. Hot state lives in locals; a batch's counters are flushed into its BatchAcc when it closes.
    # An entry's closing checks (finish_entry) run only when its shape is unusual: addenda present although
    # the indicator says 0 (or absent although it says 1), a non-05 addenda, a return/NOC code, or a CTX /
    # COR batch. A CCD+ entry with its one Addenda05 is fully checked inline.
    def run(self, data: bytes) -> NachaReadResult:
        add = self.add
        res = self.result
        records, numbers = split_records(data, add)
        res.record_count = len(records)
        if not records:
            add(0, "file", None, "empty_file", "the input holds no records")
            return res
        self.source = RecordSource(records, numbers)
        seen_setdefault = self.seen_traces.setdefault
        check_digits = self.check_digits
        b: BatchAcc | None = None
        # The open entry: its line (0 = none), record, addenda counts and its non-05 addenda (rare).
        entry_line = 0
        entry_rec = ""
        n05 = n_ad = 0
        others: list[ReadAddenda] | None = None
        special = False  # does the open entry need finish_entry?
        indicator = "0"
        trace7 = ""
        after_control = False
        fills_before_control = 0
        # per-batch locals (valid while b is not None)
        kind = "std"
        match_entry = ENTRY_MATCH["std"]
        allowed: dict[str, bool] = {}
        odfi = ""
        bidx = max_fwd = 0
        batch_special = False
        allow05 = True
        append_entry = None
        count = h = debit = credit = 0
        last_trace = ""
        line = 0

        for line, rec in zip(numbers or range(1, len(records) + 1), records):
            t = rec[0]
            if t == "6":
                if entry_line and (special or (n_ad > 0) != (indicator == "1")):
                    finish_entry(b, ReadEntry(entry_line, entry_rec, kind), n_ad, n05, others or [], add)  # type: ignore[arg-type]  # an open entry is always in a batch (b)
                if b is None:
                    entry_line = 0
                    self.orphan(line, rec, "entry detail record outside a batch (no open Batch Header)")
                    continue
                m = match_entry(rec)
                if m is not None:
                    tc, rdfi, ck, amount_text, indicator, trace = m.groups()
                    amount = int(amount_text)
                    h += int(rdfi)
                else:
                    diagnose_entry(rec, line, add, kind)
                    tc, rdfi, ck, indicator, trace = rec[1:3], rec[3:11], rec[11], rec[78], rec[79:94]
                    s, e = AMOUNT_SLICE[kind]
                    amount = to_int(rec[s:e])
                    h += to_int(rdfi)
                is_credit = allowed.get(tc)
                if is_credit is None:
                    self.bad_transaction_code(line, tc, b)
                elif is_credit:
                    credit += amount
                else:
                    debit += amount
                if amount == 0:
                    if tc in _LIVE_TEXT:
                        add(line, "entry_detail", "amount", "zero_amount", f"amount is zero for live transaction code {tc}")
                elif tc in _PRENOTE_TEXT:
                    add(line, "entry_detail", "amount", "prenote_nonzero_amount", f"prenote (transaction code {tc}) carries {amount} cents; must be zero")
                expected = check_digits.get(rdfi)
                if expected is None:
                    expected = check_digits[rdfi] = chr(48 + routing_check_digit(rdfi)) if _is_digits8(rdfi) else ck
                if ck != expected:
                    add(line, "entry_detail", "check_digit", "routing_check_digit",
                        f"RDFI routing {rdfi}{ck} fails the check digit (expected {expected})")
                if kind != "adv":
                    if trace <= last_trace:
                        add(line, "entry_detail", "trace_number", "trace_not_ascending",
                            f"trace {trace} does not ascend (previous in batch: {last_trace})")
                    last_trace = trace
                    if not trace.startswith(odfi):
                        add(line, "entry_detail", "trace_number", "trace_prefix",
                            f"trace {trace} does not start with the batch's ODFI identification {odfi}")
                    elif trace.endswith("0000000"):
                        add(line, "entry_detail", "trace_number", "trace_sequence_zero", f"trace {trace} has sequence number 0000000")
                    if seen_setdefault(trace, bidx) != bidx:
                        b.repeat(trace, line)
                append_entry(line)  # type: ignore[misc]  # set with the batch header, before any entry
                entry_line = line
                entry_rec = rec
                count += 1
                n05 = n_ad = 0
                others = None
                special = batch_special or tc in _RETURN_TC_TEXT
                trace7 = trace[8:]
            elif t == "7":
                if not entry_line:
                    add(line, "addenda", None, "addenda_outside_entry", "addenda record does not follow an entry detail record")
                    if b is not None:
                        count += 1
                    continue
                count += 1
                n_ad += 1
                if rec[1:3] == "05" and kind != "iat":
                    n05 += 1
                    m = match_addenda05(rec)
                    if m is None:
                        self.bad_addenda05(line, rec)
                    else:
                        sequence, entry_sequence = m.groups()
                        if n05 <= 9999 and sequence != SEQUENCE_TEXT[n05]:
                            add(line, "addenda_05", "addenda_sequence_number", "addenda_sequence",
                                f"addenda sequence number is {sequence}, expected {n05:04d}")
                        elif entry_sequence != trace7:
                            add(line, "addenda_05", "entry_detail_sequence_number", "addenda_entry_sequence",
                                f"entry detail sequence number {entry_sequence} is not the last 7 digits of the entry's trace ({trace7})")
                    if n05 > max_fwd:
                        self.too_many_addenda05(line, b, n05, allow05)  # type: ignore[arg-type]  # an open entry is always in a batch (b)
                else:
                    special = True
                    if others is None:
                        others = []
                    others.append(ReadAddenda(line, rec))
                    other_addenda(self, b, ReadEntry(entry_line, entry_rec, kind), line, rec)  # type: ignore[arg-type]  # an open entry is always in a batch (b)
            else:
                # Any other record closes the open entry: an entry's addenda are exactly the run of 7s after it.
                if entry_line:
                    finish_entry(b, ReadEntry(entry_line, entry_rec, kind), n_ad, n05, others or [], add)  # type: ignore[arg-type]  # an open entry is always in a batch (b)
                    entry_line = 0
                if t == "5":
                    if b is not None:
                        add(b.line, "batch_header", None, "missing_batch_control",
                            f"batch opened at line {b.line} is not closed by a Batch Control before line {line}")
                        self.close_batch(b, None, 0, count, h, debit, credit)
                    b = self.open_batch(line, rec)
                    kind, allowed, odfi, bidx, max_fwd = b.kind, b.allowed, b.odfi, b.index, b.max_fwd
                    allow05 = b.fwd_type == "05"
                    if not allow05:
                        max_fwd = 0
                    batch_special = kind == "ctx" or b.cor
                    match_entry = ENTRY_MATCH[kind]
                    append_entry = b.batch.entry_lines.append
                    count = h = debit = credit = 0
                    last_trace = ""
                elif t == "8":
                    if b is None:
                        add(line, "batch_control", None, "record_order", "Batch Control without an open batch")
                        check_batch_control(rec, line, add, False)
                        continue
                    self.close_batch(b, rec, line, count, h, debit, credit)
                    b = None
                elif t == "9" and rec == FILL_RECORD:
                    if not after_control:
                        fills_before_control += 1
                        if fills_before_control == 1:
                            add(line, "fill", None, "record_order", "9-fill record before the File Control")
                elif t == "9":
                    if b is not None:
                        add(b.line, "batch_header", None, "missing_batch_control",
                            f"batch opened at line {b.line} is not closed by a Batch Control before the File Control")
                        self.close_batch(b, None, 0, count, h, debit, credit)
                        b = None
                    if res.file_control is not None:
                        if rec[1:55].isascii() and rec[1:55].isdigit():
                            add(line, "file_control", None, "duplicate_file_control", f"second File Control (first at line {res.file_control.line})")
                        else:
                            add(line, "fill", None, "block_fill", "record after the File Control is neither a 9-fill record (94 nines) nor a File Control")
                        continue
                    self.file_control(line, rec)
                    after_control = True
                    continue
                elif t == "1":
                    if res.file_header is not None:
                        add(line, "file_header", None, "duplicate_file_header", f"second File Header (first at line {res.file_header.line})")
                        continue
                    if line != (numbers[0] if numbers else 1):
                        add(line, "file_header", None, "record_order", "the File Header must be the first record")
                    res.file_header = FileHeaderView(line, rec)
                    check_file_header(rec, line, add)
                else:
                    add(line, "unknown", "record_type", "unknown_record_type", f"record type {t!r} is not 1, 5, 6, 7, 8 or 9")
                    continue
            if after_control and t != "9":
                add(line, RECORD_TYPE_NAMES.get(t, "unknown"), None, "record_order", "record after the File Control")

        if entry_line:
            finish_entry(b, ReadEntry(entry_line, entry_rec, kind), n_ad, n05, others or [], add)  # type: ignore[arg-type]  # an open entry is always in a batch (b)
        if b is not None:
            add(b.line, "batch_header", None, "missing_batch_control",
                f"batch opened at line {b.line} is not closed by a Batch Control before the end of the file")
            self.close_batch(b, None, 0, count, h, debit, credit)
        self.finish_file(line, records, numbers)
        res.problems.sort(key=_by_line)
        res.warnings.sort(key=_by_line)
        return res

    # Rare events -------------------------------------------------------------------------------------------
    def orphan(self, line: int, rec: str, message: str) -> None:
        self.add(line, "entry_detail", None, "record_order", message)
        if ENTRY_MATCH["std"](rec) is None:
            diagnose_entry(rec, line, self.add, "std")

    def bad_transaction_code(self, line: int, tc: str, b: BatchAcc) -> None:
        if tc not in ALL_TC_TEXT:
            self.add(line, "entry_detail", "transaction_code", "invalid_transaction_code", f"transaction code {tc!r} is not a Nacha transaction code")
        else:
            self.add(line, "entry_detail", "transaction_code", "transaction_code_service_class",
                     f"transaction code {tc} is not allowed in a service class {b.scc} batch")

    def too_many_addenda05(self, line: int, b: BatchAcc, n05: int, allowed: bool) -> None:
        if not allowed:
            self.add(line, "addenda_05", "addenda_type_code", "invalid_addenda_type", f"an Addenda05 is not allowed on a forward {b.sec} entry")
        elif n05 == b.max_fwd + 1:
            self.add(line, "addenda_05", None, "sec_addenda_limit", f"{b.sec} allows at most {b.max_fwd} Addenda05 per entry")

    def bad_addenda05(self, line: int, rec: str) -> None:
        if not (rec[83:87].isascii() and rec[83:87].isdigit()):
            self.add(line, "addenda_05", "addenda_sequence_number", "invalid_format", f"addenda sequence number {rec[83:87]!r} is not 4 digits")
        if not (rec[87:94].isascii() and rec[87:94].isdigit()):
            self.add(line, "addenda_05", "entry_detail_sequence_number", "invalid_format", f"entry detail sequence number {rec[87:94]!r} is not 7 digits")

    def open_batch(self, line: int, rec: str) -> BatchAcc:
        sec = rec[50:53]
        scc = rec[1:4]
        is_iat = sec == "IAT" or rec[4:10] == "IATCOR"
        check_batch_header(rec, line, self.add, is_iat, check_date=False)
        kind = "iat" if is_iat else "adv" if (sec == "ADV" or scc == "280") else "ctx" if sec in COUNTED_ADDENDA_SEC_CODES else "std"
        if kind in ("iat", "adv"):
            self.add(line, "batch_header", "sec_code", "sec_not_validated",
                     f"{'IAT' if kind == 'iat' else 'ADV'} batch read structurally (counts, hash, totals, codes); its own fields are not validated")
        batch_number = rec[87:94]
        if self.last_batch_number is not None and batch_number <= self.last_batch_number:
            self.add(line, "batch_header", "batch_number", "batch_number_order",
                     f"batch number {batch_number} does not ascend (previous {self.last_batch_number})")
        self.last_batch_number = batch_number
        # isascii(): latin-1 decoding turns byte 0xB2 into '²', which isdigit() accepts and int() refuses.
        allowed = TC_TEXT_FOR_SERVICE_CLASS.get(int(scc) if scc.isascii() and scc.isdigit() else 0) or TC_TEXT_FOR_SERVICE_CLASS[200]
        fwd_type, max_fwd = MAX_FORWARD_ADDENDA.get(sec, ("05", 9999) if sec not in STANDARD_SEC_CODES else (None, 0))
        batch = ReadBatch(BatchHeaderView(line, rec), kind, self.source)
        self.result.batches.append(batch)
        acc = BatchAcc(batch, line, rec, sec, scc, kind, allowed, rec[79:87], len(self.result.batches), fwd_type, max_fwd)
        # IAT files in the wild carry 000000 here and IAT fields are not validated; otherwise the date is judged
        # when the batch closes: an error on forward entries, lenient on returns and NOCs (BatchAcc.close).
        acc.bad_date = not is_iat and parse_yymmdd(rec[69:75]) is None
        return acc

    def close_batch(self, b: BatchAcc, rec: str | None, line: int, count: int, h: int, debit: int, credit: int) -> None:
        b.count, b.hash, b.debit, b.credit = count, h, debit, credit
        b.close(self, rec, line)

    def file_control(self, line: int, rec: str) -> None:
        res = self.result
        res.file_control = FileControlView(line, rec)
        adv = bool(res.batches) and all(acc.kind == "adv" for acc in self.closed)
        values = check_file_control(rec, line, self.add, adv)
        totals = self.totals
        for name, computed, rule, what in (
            ("batch_count", len(res.batches), "batch_count_mismatch", "batches in the file"),
            ("entry_addenda_count", totals[0], "entry_addenda_count_mismatch", "entry and addenda records in the batches"),
            ("entry_hash", totals[1] % _TEN_DIGITS, "entry_hash_mismatch", "low 10 digits of the sum of RDFI ids"),
            ("total_debit_amount", totals[2], "debit_total_mismatch", "sum of debit entries"),
            ("total_credit_amount", totals[3], "credit_total_mismatch", "sum of credit entries"),
        ):
            value = values[name]
            if value is not None and value != computed:
                self.add(line, "file_control", name, rule, f"File Control says {value}; the file holds {computed} ({what})")
        self.declared_blocks = values["block_count"]

    def finish_file(self, last_line: int, records: list[str], numbers: list[int] | None) -> None:
        res = self.result
        first_line = numbers[0] if numbers else 1
        if res.file_header is None:
            self.add(first_line, "file", None, "missing_file_header", "the file does not start with a File Header (record type 1)")
        if res.file_control is None:
            self.add(last_line, "file", None, "missing_file_control", f"the file ends at line {last_line} without a File Control (record type 9)")
        n = len(records)
        blocks = -(-n // BLOCKING_FACTOR)
        declared = self.declared_blocks
        if declared is not None and res.file_control is not None and declared != blocks:
            self.add(res.file_control.line, "file_control", "block_count", "block_count_mismatch",
                     f"block count says {declared}; the file has {n} records = {blocks} blocks of 10")
        if self.repeats:
            trace, at = self.first_repeat  # type: ignore[misc]
            self.add(at, "entry_detail", "trace_number", "trace_repeated",
                     f"{self.repeats} trace number(s) in {self.repeat_batches} batch(es) repeat traces of earlier batches "
                     f"(first: {trace} at line {at}); merging and matching must not assume file-wide uniqueness")
        if n % BLOCKING_FACTOR:
            self.add(last_line, "file", None, "block_fill",
                     f"the file has {n} records; it must be 9-filled to a multiple of 10 ({blocks * 10 - n} fill records missing)")


def _by_line(p: Problem) -> int:
    return p.line


RECORD_TYPE_NAMES = {"1": "file_header", "5": "batch_header", "6": "entry_detail", "7": "addenda", "8": "batch_control"}

__all__ = ["read"]
