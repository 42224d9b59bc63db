"""Checks the reader runs when an entry or a batch closes, and for the rarer addenda types.

Kept apart from :mod:`.reader` so that the hot loop there stays short; everything here runs once per entry
(``finish_entry``, with an early exit for the common shapes), once per batch (``BatchAcc.close``) or only
for returns, NOCs, Addenda02 and IAT addenda (``other_addenda``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from .addenda98 import read_change
from .addenda99 import read_return
from .batch_control import BatchControlView, check_batch_control
from .change_codes import CHANGE_REASONS, RETIRED_CHANGE_CODES, corrected_data_problem
from .addenda05 import ReadAddenda
from .entry_detail import ReadEntry, to_int
from .fields import parse_yymmdd
from .read_result import ReadBatch, SecTotals
from .return_codes import RETURN_REASONS, return_variant
from .transaction_codes import RETURN_CODES

if TYPE_CHECKING:
    from .reader import _Scan

AddProblem = Callable[[int, str, "str | None", str, str], None]

_RETURN_TC_TEXT = frozenset(f"{c:02d}" for c in RETURN_CODES)
_IAT_ADDENDA = frozenset({"10", "11", "12", "13", "14", "15", "16", "17", "18"})
_TEN_DIGITS = 10_000_000_000


class BatchAcc:
    """A batch being read: its fixed facts plus the counters the reader flushes in when it closes."""

    __slots__ = (
        "batch", "line", "header", "sec", "scc", "kind", "allowed", "odfi", "index", "fwd_type", "max_fwd", "cor",
        "count", "hash", "debit", "credit", "n_forward", "n_return", "n_noc", "repeats", "first_repeat", "bad_date",
    )

    def __init__(self, batch: ReadBatch, line: int, header: str, sec: str, scc: str, kind: str,
                 allowed: dict[str, bool], odfi: str, index: int, fwd_type: str | None, max_fwd: int) -> None:
        self.batch, self.line, self.header, self.sec, self.scc, self.kind = batch, line, header, sec, scc, kind
        self.allowed, self.odfi, self.index, self.fwd_type, self.max_fwd = allowed, odfi, index, fwd_type, max_fwd
        self.cor = sec == "COR"
        self.count = self.hash = self.debit = self.credit = 0
        self.n_forward = self.n_return = self.n_noc = self.repeats = 0
        self.first_repeat: tuple[str, int] | None = None
        self.bad_date = False  # the header's effective entry date is not a YYMMDD date (judged at close)

    def repeat(self, trace: str, line: int) -> None:
        self.repeats += 1
        if self.first_repeat is None:
            self.first_repeat = (trace, line)

    def close(self, scan: _Scan, rec: str | None, line: int) -> None:
        add = scan.add
        batch = self.batch
        batch.record_count = self.count
        entries = batch.entry_count
        if not entries:
            add(self.line, "batch_header", None, "batch_without_entries", "batch holds no entry detail records")
        if rec is not None:
            batch.control = BatchControlView(line, rec)
            self._compare_control(rec, line, add)
        self.n_forward = entries - self.n_return - self.n_noc
        if (self.n_forward > 0) + (self.n_return > 0) + (self.n_noc > 0) > 1:
            add(line or self.line, "batch_control" if rec else "batch_header", None, "mixed_entry_categories",
                f"batch mixes {self.n_forward} forward, {self.n_return} return and {self.n_noc} NOC entries")
        if self.bad_date:
            self._effective_date(add)
        if self.repeats:  # reported once per file by the reader (valid files repeat traces per batch)
            scan.repeats += self.repeats
            scan.repeat_batches += 1
            scan.first_repeat = scan.first_repeat or self.first_repeat
        scan.closed.append(self)
        totals = scan.totals
        totals[0] += self.count
        totals[1] += self.hash
        totals[2] += self.debit
        totals[3] += self.credit
        sec_totals = scan.result.sec_totals.setdefault(self.sec, SecTotals())
        sec_totals.entries += entries
        sec_totals.debit_cents += self.debit
        sec_totals.credit_cents += self.credit

    def _effective_date(self, add: AddProblem) -> None:
        # Read what others send leniently: on a batch of returns or NOCs (a COR batch, or return entries only) the
        # ACH Operator may replace an invalid effective entry date (returns) or leaves it unedited (NOCs), and
        # return processing does not need it. Forward entries still need a real date.
        text = self.header[69:75]
        if self.cor or (self.n_forward == 0 and self.n_return + self.n_noc > 0):
            add(self.line, "batch_header", "effective_entry_date", "return_effective_date",
                f"effective entry date {text!r} of this {'COR' if self.cor else 'return'} batch is not a valid "
                "YYMMDD date; read past it (returns and NOCs do not need it)")
        else:
            add(self.line, "batch_header", "effective_entry_date", "invalid_date",
                f"effective entry date {text!r} is not a valid YYMMDD date")

    def _compare_control(self, rec: str, line: int, add: AddProblem) -> None:
        r = "batch_control"
        hdr = self.header
        adv = self.kind == "adv"
        values = check_batch_control(rec, line, add, adv)
        if rec[1:4] != hdr[1:4]:
            add(line, r, "service_class_code", "service_class_mismatch",
                f"Batch Control service class {rec[1:4]} differs from the header's {hdr[1:4]} (line {self.line})")
        for name, computed, rule, what in (
            ("entry_addenda_count", self.count, "entry_addenda_count_mismatch", "entry and addenda records in the batch"),
            ("entry_hash", self.hash % _TEN_DIGITS, "entry_hash_mismatch", "low 10 digits of the sum of RDFI ids"),
            ("total_debit_amount", self.debit, "debit_total_mismatch", "sum of debit entries"),
            ("total_credit_amount", self.credit, "credit_total_mismatch", "sum of credit entries"),
        ):
            value = values[name]
            if value is not None and value != computed:
                add(line, r, name, rule, f"Batch Control says {value}; the batch holds {computed} ({what})")
        if not adv:  # ADV batch controls carry no company identification
            ours, theirs = rec[44:54], hdr[40:50]
            if ours != theirs:
                if not ours.strip() or ours.strip() == theirs.strip():
                    add(line, r, "company_identification", "company_id_padding",
                        f"Batch Control company identification {ours!r} vs header {theirs!r}: blank or padded differently")
                else:
                    add(line, r, "company_identification", "company_id_mismatch",
                        f"Batch Control company identification {ours.strip()!r} differs from the header's {theirs.strip()!r}")
        if rec[79:87] != hdr[79:87]:
            add(line, r, "odfi_identification", "odfi_mismatch",
                f"Batch Control ODFI identification {rec[79:87]} differs from the header's {hdr[79:87]}")
        if rec[87:94] != hdr[87:94]:
            add(line, r, "batch_number", "batch_number_mismatch",
                f"Batch Control batch number {rec[87:94]} differs from the header's {hdr[87:94]}")


def finish_entry(b: BatchAcc, e: ReadEntry, n: int, n05: int, others: list[ReadAddenda], add: AddProblem) -> None:
    """Checks that need the entry's addenda: indicator, SEC limits, CTX count, return/NOC category.

    ``n`` addenda followed the entry, ``n05`` of them forward Addenda05 (checked inline by the reader);
    ``others`` are the rest (02, 98, 99, IAT), kept by the reader only when they occur.
    """
    raw = e.raw
    if n == n05:  # no addenda, or only Addenda05 (whose count limit the reader checked inline)
        if n:
            if raw[78] == "0":
                add(e.line, "entry_detail", "addenda_record_indicator", "addenda_indicator",
                    f"addenda record indicator is 0 but {n} addenda record(s) follow")
        elif raw[78] == "1":
            add(e.line, "entry_detail", "addenda_record_indicator", "addenda_indicator",
                "addenda record indicator is 1 but no addenda record follows")
        if b.kind == "ctx":
            declared = raw[54:58]
            if declared.isascii() and declared.isdigit() and int(declared) != n:
                add(e.line, "entry_detail", "number_of_addenda_records", "addenda_count_mismatch",
                    f"entry says {declared} addenda records; {n} follow")
        _forward(b, e, add)
        return
    if raw[78] == "0":
        add(e.line, "entry_detail", "addenda_record_indicator", "addenda_indicator",
            f"addenda record indicator is 0 but {n} addenda record(s) follow")
    types = [a.raw[1:3] for a in others]
    c98, c99 = types.count("98"), types.count("99")
    if not (c98 or c99):
        c02 = types.count("02")
        if c02 > b.max_fwd and b.fwd_type == "02":
            excess = [a for a in others if a.raw[1:3] == "02"][b.max_fwd]
            add(excess.line, "addenda_02", None, "sec_addenda_limit",
                f"{b.sec} allows at most {b.max_fwd} Addenda02 per entry; this entry has {c02}")
        _forward(b, e, add)
        return
    if c98 + c99 > 1:
        extra = [a for a in others if a.raw[1:3] in ("98", "99")][1]
        add(extra.line, f"addenda_{extra.raw[1:3]}", None, "sec_addenda_limit", "an entry carries at most one Addenda98 or Addenda99")
    tc = raw[1:3]
    if tc not in _RETURN_TC_TEXT:
        what = "notification of change" if c98 else "return"
        add(e.line, "entry_detail", "transaction_code", "return_transaction_code",
            f"{what} entry uses forward transaction code {tc}; a {what} uses 21/26/31/36/41/46/51/56")
    if c98:
        b.n_noc += 1
        if to_int(raw[29:39]):
            add(e.line, "entry_detail", "amount", "noc_nonzero_amount",
                f"notification of change carries {to_int(raw[29:39])} cents; NOCs are zero-dollar entries")
    else:
        b.n_return += 1
        if b.cor:
            add(e.line, "entry_detail", None, "cor_without_addenda98", "a COR entry needs one Addenda98, not an Addenda99")


def _forward(b: BatchAcc, e: ReadEntry, add: AddProblem) -> None:
    if b.cor:
        add(e.line, "entry_detail", None, "cor_without_addenda98", "a COR entry needs exactly one Addenda98")
    elif e.raw[1:3] in _RETURN_TC_TEXT:
        add(e.line, "entry_detail", "transaction_code", "return_without_addenda",
            f"transaction code {e.raw[1:3]} is for returns and NOCs, but no Addenda99/98 follows")


def other_addenda(scan: _Scan, b: BatchAcc, entry: ReadEntry, line: int, rec: str) -> None:
    """Addenda other than a forward Addenda05: returns (99), NOCs (98), POS/SHR/MTE (02), IAT (10-18)."""
    add = scan.add
    code = rec[1:3]
    if code == "99":
        rc = rec[3:6]
        if rc not in RETURN_REASONS:
            add(line, "addenda_99", "return_reason_code", "invalid_return_code", f"{rc!r} is not a Nacha return reason code")
        _original(rec, line, "addenda_99", add)
        if return_variant(rc) == "return" and rec[21:27].strip() and parse_yymmdd(rec[21:27]) is None:
            add(line, "addenda_99", "date_of_death", "invalid_date", f"date of death {rec[21:27]!r} is not a valid YYMMDD date")
        _own_trace(rec, line, entry, "addenda_99", add)
        scan.result.returns.append(read_return(rec, line, entry, b.header))
    elif code == "98":
        cc = rec[3:6]
        if cc not in CHANGE_REASONS:
            why = " (C10-C12 are retired; not guessing a meaning)" if cc in RETIRED_CHANGE_CODES else ""
            add(line, "addenda_98", "change_code", "invalid_change_code", f"{cc!r} is not a current Nacha change code{why}")
        else:
            problem = corrected_data_problem(cc, rec[35:64])
            if problem:
                add(line, "addenda_98", "corrected_data", "invalid_corrected_data", problem)
        _original(rec, line, "addenda_98", add)
        _own_trace(rec, line, entry, "addenda_98", add)
        scan.result.changes.append(read_change(rec, line, entry, b.header))
    elif code == "02":
        if b.fwd_type != "02":
            add(line, "addenda_02", "addenda_type_code", "invalid_addenda_type", f"an Addenda02 is not allowed in a {b.sec} batch")
        _own_trace(rec, line, entry, "addenda_02", add)
    elif code in _IAT_ADDENDA and b.kind == "iat":
        pass  # IAT addenda are read structurally (see the sec_not_validated notice on the batch)
    else:
        add(line, f"addenda_{code}" if code.isdigit() else "addenda", "addenda_type_code", "invalid_addenda_type",
            f"addenda type {code!r} is not allowed in a {b.sec} batch")


def _original(rec: str, line: int, record: str, add: AddProblem) -> None:
    trace = rec[6:21]
    if not (trace.isascii() and trace.isdigit()):
        add(line, record, "original_entry_trace_number", "invalid_format", f"original entry trace {trace!r} is not 15 digits")


def _own_trace(rec: str, line: int, entry: ReadEntry, record: str, add: AddProblem) -> None:
    if rec[79:94] != entry.raw[79:94]:
        add(line, record, "trace_number", "addenda_trace_mismatch",
            f"addenda trace {rec[79:94]} differs from its entry's trace {entry.raw[79:94]} (line {entry.line})")


__all__ = ["BatchAcc", "finish_entry", "other_addenda"]
