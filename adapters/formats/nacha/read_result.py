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
from .addenda05 import ReadAddenda
from .entry_detail import ReadEntry
from .file_control import FileControlView
from .file_header import FileHeaderView
from .problems import Problem


class RecordSource:
    """The records of one read, from which batches build their entry views on first access."""

    __slots__ = ("records", "numbers", "_index")

    def __init__(self, records: list[str], numbers: list[int] | None) -> None:
        self.records = records
        self.numbers = numbers
        self._index: dict[int, int] | None = None

    def entries(self, lines: list[int], kind: str) -> list[ReadEntry]:
        """Entry views for the entries at ``lines``, each with the run of addenda records that follows it."""
        records, numbers = self.records, self.numbers
        if numbers is not None and self._index is None:
            self._index = {line: i for i, line in enumerate(numbers)}
        index = self._index
        n = len(records)
        out = []
        for line in lines:
            i = line - 1 if index is None else index[line]
            entry = ReadEntry(line, records[i], kind)
            j = i + 1
            while j < n and records[j][0] == "7":  # the reader attaches exactly this run to the entry
                entry.addenda.append(ReadAddenda(j + 1 if numbers is None else numbers[j], records[j]))
                j += 1
            out.append(entry)
        return out


class ReadBatch:
    """A batch as read: header and control views (control None when missing) and its entries.

    ``entries`` are built on first access from the records (the reader itself only notes where each entry
    is), so validating a 100,000-entry file creates no per-entry objects unless someone asks for them.
    """

    __slots__ = ("header", "control", "kind", "entry_lines", "record_count", "_source", "_entries")

    def __init__(self, header: BatchHeaderView, kind: str, source: RecordSource) -> None:
        self.header = header
        self.control: BatchControlView | None = None
        self.kind = kind
        self.entry_lines: list[int] = []
        self.record_count = 0  # entry and addenda records counted in the batch
        self._source = source
        self._entries: list[ReadEntry] | None = None

    @property
    def entries(self) -> list[ReadEntry]:
        if self._entries is None:
            self._entries = self._source.entries(self.entry_lines, self.kind)
        return self._entries

    @property
    def entry_count(self) -> int:
        return len(self.entry_lines)

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
        return f"ReadBatch(line={self.line}, sec={self.sec_code!r}, entries={self.entry_count})"


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
        return sum(b.entry_count for b in self.batches)

    def addenda_count(self) -> int:
        return sum(b.record_count - b.entry_count for b in self.batches)

    def debit_cents(self) -> int:
        return sum(t.debit_cents for t in self.sec_totals.values())

    def credit_cents(self) -> int:
        return sum(t.credit_cents for t in self.sec_totals.values())

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


__all__ = ["NachaReadResult", "ReadBatch", "RecordSource", "SecTotals"]
