"""NACHA returns (Addenda99) and notifications of change (Addenda98) in, ``payments.reconciliation.bank_notices`` records out.

The shared NACHA reader does the reading and checking; this module only decides what is acceptable as an
incoming returns file and normalizes. A file with any error-class problem is refused whole (the first
problem names the line and field; all of them travel in ``problems``); its warnings are kept as findings, so
a lenient file (a right-trimmed control record, an IAT batch read structurally) is accepted and says so.
Fields that return processing does not need are read past with a warning naming line, record and field (an
effective entry date of ``000000`` on a return or COR batch, see ``problems.RULES``): a return is never dropped
over a cosmetic field. A file that carries no return and no NOC is refused too: importing a forward payment file as "returns"
is a mistake an operator should hear about, not a silent no-op.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time

from adapters.formats.nacha.reader import read
from adapters.formats.nacha.read_result import NachaReadResult
from payments.reconciliation.bank_notices import (
    ChangeNotice,
    CorrectedBankData,
    NoticeFile,
    NoticeFindingCode,
    ReturnNotice,
    account_type_for_transaction_code,
    mask,
)
from payments.reconciliation.statements import Finding, MalformedFile, Severity, UnsupportedFormat

CURRENCY = "USD"  # ACH settles in US dollars; IAT legs are converted before they reach the ODFI.


class NotAReturnsFile(UnsupportedFormat):
    """A well-formed NACHA file with neither returns nor notifications of change: not what this reader is for."""

    code = "no_returns_or_changes"


def read_nacha_notices(data: bytes) -> NoticeFile:
    """Read a returns/NOC file whole, or raise ``MalformedFile`` (``malformed_nacha``) and return nothing."""
    result = read(data)
    if not result.ok:
        first = result.problems[0]
        error = MalformedFile("nacha", f"[{first.rule}] {first.message}"
                              + (f" (and {len(result.problems) - 1} more problem(s))" if len(result.problems) > 1
                                 else ""),
                              location=f"line {first.line}" if first.line else "file", field=first.field)
        error.details["problems"] = [str(p) for p in result.problems[:50]]
        raise error
    if not result.returns and not result.changes:
        raise NotAReturnsFile("the NACHA file holds no returns (Addenda99) and no notifications of change "
                              "(Addenda98); it is not a returns file")
    effective = _effective_dates(result)
    findings = tuple(Finding(NoticeFindingCode.FORMAT_LENIENCY, f"[{w.rule}] {w.message}", _where(w), Severity.WARNING)
                     for w in result.warnings)
    returns = tuple(_return(r, effective.get(r.entry_line)) for r in result.returns)
    changes = tuple(_change(c, effective.get(c.entry_line)) for c in result.changes)
    return NoticeFile(digest=hashlib.sha256(data).hexdigest(), returns=returns, changes=changes,
                      findings=findings, created_at=_created_at(result))


def _where(problem) -> str:  # noqa: ANN001 - the reader's Problem
    """'line 2 batch_header effective_entry_date': the line, record and field a warning is about."""
    where = f"line {problem.line}" if problem.line else "file"
    return " ".join(p for p in (where, problem.record_type if problem.line else "", problem.field or "") if p)


def looks_like_nacha(data: bytes) -> bool:
    """True when the first record is a 94-character (or right-trimmed) File Header or Batch Header."""
    head = data[:200].lstrip(b"\xef\xbb\xbf")
    return head[:3] == b"101" or (head[:1] == b"5" and head[1:4] in (b"200", b"220", b"225"))


def _effective_dates(result: NachaReadResult) -> dict[int, date | None]:
    # The reader's notices name their entry's line; the batch header carries the date.
    return {entry.line: batch.effective_date for batch in result.batches for entry in batch.entries}


def _created_at(result: NachaReadResult) -> datetime | None:
    header = result.file_header
    if header is None or header.creation_date is None:
        return None
    hhmm = header.creation_time
    at = time(int(hhmm[:2]), int(hhmm[2:])) if len(hhmm) == 4 and hhmm.isdigit() and int(hhmm[:2]) < 24 \
        and int(hhmm[2:]) < 60 else time(0, 0)
    return datetime.combine(header.creation_date, at)


def _return(r, effective: date | None) -> ReturnNotice:  # noqa: ANN001 - the reader's ReturnNotice
    return ReturnNotice(
        reason_code=r.reason_code, reason=r.reason or f"unknown return reason code {r.reason_code}",
        original_trace=r.original_trace, amount_minor=r.amount_cents, currency=CURRENCY,
        original_rdfi=r.original_rdfi, return_trace=r.trace_number, location=f"line {r.line}",
        effective_date=effective, date_of_death=r.date_of_death, information=r.information,
        receiver_name=r.receiver_name, identification=r.identification, account_mask=mask(r.account_number),
        sec_code=r.sec_code, variant=r.variant,
    )


def _change(c, effective: date | None) -> ChangeNotice:  # noqa: ANN001 - the reader's ChangeNotice
    data = c.corrected
    corrected = CorrectedBankData(
        routing_number=data.routing_number, account_number=data.account_number,
        account_type=account_type_for_transaction_code(data.transaction_code),
        receiver_name=data.receiver_name, identification=data.identification,
    )
    return ChangeNotice(
        change_code=c.change_code, reason=c.reason or f"unknown change code {c.change_code}",
        original_trace=c.original_trace, original_rdfi=c.original_rdfi, corrected=corrected,
        notice_trace=c.trace_number, location=f"line {c.line}", refused=c.refused, effective_date=effective,
        receiver_name=c.receiver_name, identification=c.identification, sec_code=c.sec_code,
    )
