"""What :func:`.reader.read` returns: the problems, the records as read-only views, returns and NOCs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .addenda98 import ChangeNotice
from .addenda99 import ReturnNotice
from .batch_control import BatchControlView
from .batch_header import BatchHeaderView
from .entry_detail import ReadEntry
from .file_control import FileControlView
from .file_header import FileHeaderView
from .problems import Problem


class ReadBatch:
    """A batch as read: header and control views (control None when missing) and its entries."""

    __slots__ = ("header", "control", "entries")

    def __init__(self, header: BatchHeaderView) -> None:
        self.header = header
        self.control: BatchControlView | None = None
        self.entries: list[ReadEntry] = []

    line = property(lambda self: self.header.line)
    sec_code = property(lambda self: self.header.sec_code)
    service_class_code = property(lambda self: self.header.service_class_code)
    company_name = property(lambda self: self.header.company_name)
    company_id = property(lambda self: self.header.company_identification)
    entry_description = property(lambda self: self.header.company_entry_description)
    odfi_id = property(lambda self: self.header.odfi_identification)
    batch_number = property(lambda self: self.header.batch_number)

    @property
    def effective_date(self) -> date | None:
        return self.header.effective_entry_date

    def __repr__(self) -> str:
        return f"ReadBatch(line={self.line}, sec={self.sec_code!r}, entries={len(self.entries)})"


@dataclass
class SecTotals:
    """Per SEC code: entries and the debit/credit cents they carry (counted from the entries, not controls)."""

    entries: int = 0
    debit_cents: int = 0
    credit_cents: int = 0


@dataclass
class NachaReadResult:
    """The outcome of reading one file. ``ok`` means no errors; warnings do not make a file bad.

    Nothing here is recomputed into the file: the views slice the records exactly as they were read.
    """

    strict: bool = False
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    file_header: FileHeaderView | None = None
    file_control: FileControlView | None = None
    batches: list[ReadBatch] = field(default_factory=list)
    returns: list[ReturnNotice] = field(default_factory=list)
    changes: list[ChangeNotice] = field(default_factory=list)
    record_count: int = 0
    sec_totals: dict[str, SecTotals] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def nocs(self) -> list[ChangeNotice]:
        """Alias of ``changes``: notifications of change (Addenda98)."""
        return self.changes

    def entries(self) -> Iterator[ReadEntry]:
        for batch in self.batches:
            yield from batch.entries

    def entry_count(self) -> int:
        return sum(len(b.entries) for b in self.batches)

    def addenda_count(self) -> int:
        return sum(len(e.addenda) for e in self.entries())

    def debit_cents(self) -> int:
        return sum(t.debit_cents for t in self.sec_totals.values())

    def credit_cents(self) -> int:
        return sum(t.credit_cents for t in self.sec_totals.values())

    def problems_by_rule(self) -> dict[str, list[Problem]]:
        out: dict[str, list[Problem]] = {}
        for p in [*self.problems, *self.warnings]:
            out.setdefault(p.rule, []).append(p)
        return out

    def has(self, rule: str, line: int | None = None, field: str | None = None) -> bool:
        """True when a problem (error or warning) with this rule - and line / field if given - was reported."""
        return any(
            p.rule == rule and (line is None or p.line == line) and (field is None or p.field == field)
            for p in [*self.problems, *self.warnings]
        )

    def summary(self) -> dict[str, Any]:
        return {
            "records": self.record_count,
            "batches": len(self.batches),
            "entries": self.entry_count(),
            "addenda": self.addenda_count(),
            "debit_cents": self.debit_cents(),
            "credit_cents": self.credit_cents(),
            "by_sec_code": {
                sec: {"entries": t.entries, "debit_cents": t.debit_cents, "credit_cents": t.credit_cents}
                for sec, t in sorted(self.sec_totals.items())
            },
            "returns": len(self.returns),
            "notifications_of_change": len(self.changes),
        }


__all__ = ["NachaReadResult", "ReadBatch", "SecTotals"]
