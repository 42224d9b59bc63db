"""``check_file``: read a file from a path or bytes and report on it, for people (text) and machines (JSON).

The CLI ``disburse nacha check FILE [--json] [--strict]`` is a thin wrapper (:mod:`.cli`). A path ending in
``.gz`` is decompressed first; a file that cannot be read yields a report with one ``unreadable_input``
problem rather than an exception, so batch callers can treat every file alike.
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass
from typing import Any

from .problems import ERROR, Problem
from .read_result import NachaReadResult
from .reader import read


@dataclass(frozen=True)
class CheckReport:
    """The verdict on one file: ``ok`` is True when there are no errors (warnings allowed)."""

    source: str
    strict: bool
    result: NachaReadResult

    @property
    def ok(self) -> bool:
        return self.result.ok

    @property
    def problems(self) -> list[Problem]:
        """Errors: the file must not be sent or trusted as it is."""
        return self.result.problems

    @property
    def warnings(self) -> list[Problem]:
        return self.result.warnings

    @property
    def summary(self) -> dict[str, Any]:
        return self.result.summary()

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "strict": self.strict,
            "ok": self.ok,
            "summary": self.summary,
            "problems": [p.to_dict() for p in self.problems],
            "warnings": [p.to_dict() for p in self.warnings],
            "returns": [
                {"line": r.line, "reason_code": r.reason_code, "reason": r.reason, "original_trace": r.original_trace,
                 "amount_cents": r.amount_cents, "trace_number": r.trace_number}
                for r in self.result.returns
            ],
            "notifications_of_change": [
                {"line": c.line, "change_code": c.change_code, "reason": c.reason, "original_trace": c.original_trace,
                 "corrected_data": c.corrected_data}
                for c in self.result.changes
            ],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def format_text(self, limit: int = 200) -> str:
        """A human report: verdict, summary, then problems and warnings (at most ``limit`` of each)."""
        s = self.summary
        mode = "strict" if self.strict else "lenient"
        verdict = "OK" if self.ok else f"REJECTED: {len(self.problems)} error(s)"
        out = [
            f"{self.source}: {verdict}, {len(self.warnings)} warning(s) ({mode} mode)",
            f"  {s['records']} records, {s['batches']} batches, {s['entries']} entries, {s['addenda']} addenda",
            f"  debits {_dollars(s['debit_cents'])}, credits {_dollars(s['credit_cents'])}",
        ]
        for sec, t in s["by_sec_code"].items():
            out.append(f"    {sec}: {t['entries']} entries, debits {_dollars(t['debit_cents'])}, credits {_dollars(t['credit_cents'])}")
        if s["returns"] or s["notifications_of_change"]:
            out.append(f"  {s['returns']} return(s), {s['notifications_of_change']} notification(s) of change")
        for title, items in (("errors", self.problems), ("warnings", self.warnings)):
            if items:
                out.append(f"  {title}:")
                out.extend(f"    {p}" for p in items[:limit])
                if len(items) > limit:
                    out.append(f"    ... and {len(items) - limit} more")
        return "\n".join(out)


def _dollars(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


def check_file(path_or_bytes: str | os.PathLike[str] | bytes, strict: bool = False) -> CheckReport:
    """Read and validate a NACHA file given as a path or as bytes."""
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        return CheckReport("<bytes>", strict, read(bytes(path_or_bytes), strict=strict))
    source = os.fspath(path_or_bytes)
    try:
        with open(source, "rb") as fh:
            data = fh.read()
        if source.endswith(".gz"):
            data = gzip.decompress(data)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        result = NachaReadResult(strict=strict)
        result.problems.append(Problem(0, "file", None, "unreadable_input", f"cannot read {source}: {exc}", ERROR))
        return CheckReport(source, strict, result)
    return CheckReport(source, strict, read(data, strict=strict))


__all__ = ["CheckReport", "check_file"]
