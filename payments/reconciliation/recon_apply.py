"""Matching, applied inside one unit of work: match rows, payment transitions, settlement entries, exceptions.

Used by every path that can tie lines to payments (a statement import, a returns import, the daily run): the
lines still open from earlier files are matched again together with the new ones, so a return file that
arrives after the statement explains its credit, and an exception closes itself when a later file explains it.

New lines are matched *before* they are inserted and stored with their outcome, so a large statement is one
bulk insert and no update; only earlier lines whose state changed are updated.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ledger.journal import Journal
from payments.business_days import BusinessCalendar
from payments.errors import StaleState
from payments.reconciliation.recon_postings import CASH, DEFAULT_FUND, SettlementBook
from payments.reconciliation.recon_records import (CONFIDENCE_PCT, BookPayment, DateWindow, ExceptionKind, ExceptionStatus,
                                    LineMatching, MatchMethod, ReconException)
from payments.reconciliation.recon_rows import ExceptionRecord, LineState, MatchRecord, StoredLine
from payments.reconciliation.recon_ports import ReconUnitOfWork, TraceMatch
from payments.reconciliation.recon_trace import NO_PICKS, TracePicks, candidates, without
from payments.reconciliation.recon_matcher import match_lines

NewId = Callable[[str], str]


@dataclass(slots=True)
class ApplyOutcome:
    """What one matching pass did."""

    lines_matched: int = 0
    lines_set_based: int = 0  # of those, decided by the database (payments.reconciliation.recon_trace)
    payments_settled: int = 0
    payments_confirmed: int = 0
    return_credits: int = 0
    exceptions_opened: int = 0
    exceptions_resolved: int = 0
    entry_ids: list[str] = field(default_factory=list)
    methods: dict[str, int] = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)

    def lap(self, phase: str, since: float) -> float:
        now = time.perf_counter()
        self.timings_s[phase] = round(self.timings_s.get(phase, 0.0) + now - since, 3)
        return now


@dataclass(frozen=True, slots=True)
class ApplyContext:
    uow: ReconUnitOfWork
    journal: Journal
    file_id: str
    actor: str
    now: datetime
    new_id: NewId
    window: DateWindow
    calendar: BusinessCalendar
    since: date
    set_based: bool = True  # let the database decide the common line (payments.reconciliation.recon_trace) when it can
    # The Cash chart account of the agency's bank account a statement names (treasury_accounts): settlements post there.
    cash_of_account: Callable[[str], str] = field(default=lambda _account_id: CASH)


def exception_record(exc: ReconException, *, new_id: NewId, now: datetime, dedup_key: str) -> ExceptionRecord:
    return ExceptionRecord(new_id("rex"), dedup_key, exc.kind, ExceptionStatus.OPEN, exc.amount_minor, exc.currency,
                           exc.detail, now, exc.line_id, exc.payment_ids, exc.candidates, exc.notice_ref)


def match_and_apply(ctx: ApplyContext, new_lines: Sequence[StoredLine] = (),
                    duplicates: Sequence[StoredLine] = ()) -> ApplyOutcome:
    """Match new and still-open lines; store new lines, matches, exceptions; settle; post. Never commits."""
    uow, out = ctx.uow, ApplyOutcome()
    t = time.perf_counter()
    old = uow.recon.open_lines()
    lines = [*old, *new_lines]
    codes = {a: ctx.cash_of_account(a) for a in {x.account_id for x in lines}}
    if len(set(codes.values())) > 1:
        # Lines of several bank accounts: each settles into its own account's Cash, line by line (the database's
        # pick books one Cash per import, so it sits this one out).
        cash_by_line = {x.line_id: codes[x.account_id] for x in lines}
        return _apply(ctx, out, t, old, lines, new_lines, duplicates, None, NO_PICKS, CASH, cash_by_line)
    cash = next(iter(codes.values()), ctx.cash_of_account(""))
    if not (ctx.set_based and new_lines):
        return _apply(ctx, out, t, old, lines, new_lines, duplicates, None, NO_PICKS, cash)
    trace = uow.recon_trace
    # The common line (one trace, one sent payment) is decided by the database first (payments.reconciliation.recon_trace).
    picks = trace.pick(lines, candidates(lines, len(old)), since=ctx.since)
    t = out.lap("trace_match", t)
    outcome = _apply(ctx, out, t, old, lines, new_lines, duplicates, trace if picks else None, picks, cash)
    trace.release()
    return outcome


def _apply(ctx: ApplyContext, out: ApplyOutcome, t: float, old: list[StoredLine], lines: list[StoredLine],
           new_lines: Sequence[StoredLine], duplicates: Sequence[StoredLine], trace: TraceMatch | None,
           picks: TracePicks, cash: str = CASH, cash_by_line: dict[str, str] | None = None) -> ApplyOutcome:
    uow = ctx.uow
    rest: list[StoredLine] = lines
    where: dict[str, int] = {}
    if trace is not None:
        rest, where = without(lines, picks.positions)
        payments = trace.open_for_matching(since=ctx.since)
    else:
        payments = uow.recon_payments.open_for_matching(since=ctx.since)
    t = out.lap("load_open_payments", t)

    def known(refs: set[str]) -> dict[str, BookPayment]:
        return {k: p for k, p in uow.recon_payments.by_keys(refs).items() if p.settled}

    result = match_lines(rest, payments, returns=uow.recon.returns_awaiting_credit(), known=known,
                         window=ctx.window, calendar=ctx.calendar,
                         taken_batches=picks.taken_batches if trace else (),
                         trace_prefixes=picks.trace_prefixes if trace else ())
    t = out.lap("match", t)
    book = SettlementBook(ctx.file_id, cash)
    add_one = book.add_one
    states: dict[str, str] = {}
    rows: list[MatchRecord] = []
    to_settle: list[str] = []
    credits: dict[str, str] = {}
    methods: dict[str, int] = out.methods
    matched, now, actor = LineState.MATCHED, ctx.now, ctx.actor
    last = None
    settled_one = confirmed_one = 0
    for m in result.matches:
        states[m.line_id] = matched
        if m.method is not last:  # runs of one method: its name and confidence looked up once per run
            last = m.method
            method, confidence = m.method.value, m.confidence_pct
        methods[method] = methods.get(method, 0) + 1
        on = m.booked_on
        if m.return_id is not None:  # a return's credit (MatchMethod.RETURN_CREDIT)
            credits[m.return_id] = m.line_id
            out.return_credits += 1
            rows.append(MatchRecord(m.line_id, m.payment_ids[0], "return_credit", method, confidence,
                                    m.amount_minor, m.currency, on, False, now, actor, None, m.note or None))
            continue
        note = m.note or None
        if len(m.payment_ids) == 1:  # the common line: one payment, kept short (a million go through here)
            p = m.payments[0]
            if p.status == "sent":
                to_settle.append(p.payment_id)
                settled_one += 1
                rows.append(MatchRecord(m.line_id, p.payment_id, "settlement", method, confidence, p.amount_minor,
                                        p.currency, on, True, now, actor,
                                        add_one(on, p, cash_by_line[m.line_id] if cash_by_line else None), note))
            else:
                confirmed_one += 1
                rows.append(MatchRecord(m.line_id, p.payment_id, "settlement", method, confidence, p.amount_minor,
                                        p.currency, on, False, now, actor, None, note))
            continue
        group = m.payments
        # Only a payment still 'sent' moves the ledger: a returned one already left in-transit through its
        # return entry, and one settled by another path has posted its own settlement.
        posted = [p for p in group if p.status == "sent"]
        entry_id = book.add(on, posted, cash_by_line[m.line_id] if cash_by_line else None) if posted else None
        out.payments_settled += len(posted)
        out.payments_confirmed += len(group) - len(posted)
        for p in group:
            sent = p.status == "sent"
            if sent:
                to_settle.append(p.payment_id)
            rows.append(MatchRecord(m.line_id, p.payment_id, "settlement", method, confidence, p.amount_minor,
                                    p.currency, on, sent, now, actor, entry_id if sent else None, note))
    out.payments_settled += settled_one
    out.payments_confirmed += confirmed_one
    out.lines_matched = len(result.matches)
    entry_ids: dict[tuple[date, str, str], str] = {}
    if trace is not None:
        # The database's matches: each settles one sent payment of one fund, by trace (as add_one would book it).
        shares: dict[tuple[date, str, str], list[tuple[str, int]]] = {}
        for pos, pid, amount, fund in zip(picks.positions, picks.payment_ids, picks.amounts, picks.funds):
            line = lines[pos]
            states[line.line_id] = matched
            key = (line.booking_date, fund, line.currency)
            found = shares.get(key)
            if found is None:
                found = shares[key] = []
            found.append((pid, amount))
        for (on, fund, currency), pairs in shares.items():
            entry_ids[(on, fund, currency)] = book.add_shares(on, fund or DEFAULT_FUND, currency, pairs)
        count = len(picks.positions)
        method = MatchMethod.TRACE.value
        methods[method] = methods.get(method, 0) + count
        out.payments_settled += count
        out.lines_matched += count
        out.lines_set_based = count
    exceptions = list(result.exceptions)
    for line in duplicates:
        exceptions.append(ReconException(ExceptionKind.DUPLICATE_LINE, "the same file carries this bank entry twice "
                                         f"(same bank reference {line.bank_reference}); the copy settles nothing",
                                         line.signed_amount_minor, line.currency, line_id=line.line_id))
    for exc in exceptions:
        if exc.line_id is not None:  # the matcher's and the duplicates' exceptions are each about a line
            states[exc.line_id] = LineState.EXCEPTED

    t = out.lap("decide", t)
    new_ids = {line.line_id for line in (*new_lines, *duplicates)}
    uow.recon.add_lines([*new_lines, *duplicates], states)
    uow.recon.set_line_states({line.line_id: states[line.line_id] for line in old
                               if states.get(line.line_id, line.state) != line.state})
    t = out.lap("store_lines", t)
    if trace is None:
        uow.recon.add_matches(rows)
    else:
        trace.add_matches(rows, _row_keys(result, where), entry_ids, method=MatchMethod.TRACE.value,
                          confidence_pct=CONFIDENCE_PCT[MatchMethod.TRACE], matched_at=ctx.now,
                          matched_by=ctx.actor)
    t = out.lap("store_matches", t)
    settling = len(to_settle) + (len(picks.positions) if trace is not None else 0)
    if settling:
        moved = uow.recon_payments.settle_posted(book.entry_ids(), *book.booking_days(), ctx.now)
        if moved != settling:
            raise StaleState("payment", f"{settling - moved} of {settling} payments", "sent")
    t = out.lap("settle_payments", t)
    uow.recon.set_return_credit(credits)
    out.exceptions_opened = uow.recon.add_exceptions([
        exception_record(e, new_id=ctx.new_id, now=ctx.now, dedup_key=f"line:{e.line_id}") for e in exceptions])
    matched_old = [lid for lid, s in states.items() if s == LineState.MATCHED and lid not in new_ids]
    # Open "unsettled" exceptions are few; reading them all beats looking up one key per settled payment.
    unsettled = uow.recon.list_exceptions(status=ExceptionStatus.OPEN, kind=ExceptionKind.UNSETTLED_PAYMENT,
                                          limit=1_000_000)
    settled_now = set(to_settle)
    if unsettled and trace is not None:
        settled_now.update(picks.payment_ids)
    explained = [*uow.recon.open_exceptions_for_lines(matched_old),
                 *(e for e in unsettled if settled_now.intersection(e.payment_ids))]
    for record in explained:
        uow.recon.update_exception(record, record.closed(ExceptionStatus.RESOLVED, by=ctx.actor, at=ctx.now,
                                                   resolution="explained",
                                                   reason=f"matched on a later run (file {ctx.file_id})"))
        out.exceptions_resolved += 1
    t = out.lap("exceptions", t)
    drafts = book.drafts()
    if drafts:
        ctx.journal.post_many(drafts)
        out.entry_ids = [d.id for d in drafts]
    out.lap("post_entries", t)
    return out


def _row_keys(result: LineMatching, where: dict[str, int]) -> list[tuple[int, int, int]]:
    """Where each match row of the matcher goes among the database's: a first-pass match at its line's position
    (the database decided lines in the same pass, in line order), the later passes' after them all, in order."""
    keys: list[tuple[int, int, int]] = []
    first = result.by_reference
    for i, m in enumerate(result.matches):
        head = (0, where[m.line_id]) if i < first else (1, i)
        keys += [(*head, j) for j in range(len(m.payment_ids))]
    return keys


def open_unsettled_exceptions(ctx: ApplyContext, on: date, business_days: int) -> int:
    """An exception for every payment still 'sent' more than ``business_days`` business days before ``on``."""
    cutoff = ctx.calendar.add_business_days(on, -business_days)
    stale = ctx.uow.recon_payments.unsettled_sent(sent_before=cutoff)
    rows = [exception_record(ReconException(
        ExceptionKind.UNSETTLED_PAYMENT, f"sent {p.sent_on.isoformat()}, not on any statement after "
        f"{business_days} business days", -p.amount_minor, p.currency, payment_ids=(p.payment_id,)),
        new_id=ctx.new_id, now=ctx.now, dedup_key=f"unsettled:{p.payment_id}") for p in stale]
    return ctx.uow.recon.add_exceptions(rows)
