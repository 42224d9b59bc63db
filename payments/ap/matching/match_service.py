"""Matching against the database: load facts with set-based queries, match in memory, store in bulk.

``rematch_in(uow, invoice_ids, trigger=...)`` is what every event calls inside its own transaction: a new
invoice, a corrected one, a receipt, a credit memo, a hold released by hand. It

1. loads the invoices (two queries per 500) and the match context for every PO they bill
   (``uow.match_queries.context_for``: five grouped queries per 500 POs, never one per line),
2. loads the duplicate pool (three indexed lookups per 500 invoices) and the manual releases,
3. runs ``matching.match_batch`` (one at a time in received order, each clean invoice counting as billed
   for the next),
4. diffs holds (opens new ones, releases cleared ones automatically, keeps the rest), dates the prompt-pay
   clock or lists the defects of an improper invoice (under the rule set in force at receipt: the contract's or
   the vendor's own where staff set one, and waiting for a federally funded order's money where the act says
   so), and stores everything with a handful of bulk statements, each invoice's status moved by a guarded update,
5. records each automatic release in the signed audit trail, by the actor ``system``, naming the event and the
   document that cleared it (``document``: the receipt, credit memo or corrected invoice).

Matching owns only the holds it raises (``match_findings.MATCH_HOLDS``). A hold another module put on an
invoice (reconciliation's ``payment_returned`` after a bank return) is not matching's to release: a re-match
neither clears it nor counts it; only a person releases it, with a reason.

"Earlier" for duplicates is entry order (ids are ULIDs): of two copies, the one entered later is suspected,
and re-matching the first never turns it into a suspect of the second.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ledger.journal import format_time
from payments.ap.ap_deps import APDeps
from payments.ap.ap_ports import APUnitOfWork
from payments.audit import SYSTEM_ACTOR
from payments.ap.ap_records import HoldRecord, InvoiceRecord, MatchRecord, PromptPayDates, new_ids
from payments.ap.documents import InvoiceStatus, MatchLevel, transition
from payments.ap.matching.duplicates import DuplicateIndex, DuplicateKey, DuplicateMatch
from payments.ap.matching.match_context import MatchContext
from payments.ap.matching.match_findings import MATCH_HOLDS, Finding, Hold, MatchResult
from payments.ap.matching.match_holds import ManualRelease, active_hold_keys
from payments.ap.matching.matching import match_batch
from payments.ap.prompt_pay import ClockNotStarted, start_clock
from payments.ap.prompt_pay_rules import ClockEvents, due_date, improper_return_by
from payments.ap.prompt_pay_rules.agency import FEDERAL, label_of

MATCHABLE = frozenset({InvoiceStatus.ENTERED, InvoiceStatus.HELD, InvoiceStatus.MATCHED})


def finding_doc(f: Finding) -> dict[str, Any]:
    return {**f.canonical(), "explanation": f.explanation}


@dataclass
class MatchOutcome:
    """What one re-match changes for one invoice; ``MatchQueries.save`` writes a batch of these."""

    invoice_id: str
    version: int
    status_before: InvoiceStatus
    status_after: InvoiceStatus
    result: MatchResult
    record: MatchRecord
    new_holds: list[HoldRecord] = field(default_factory=list)
    released: list[HoldRecord] = field(default_factory=list)  # released automatically: the facts cleared them
    document: str | None = None  # what triggered the re-match (a receipt, credit memo, corrected invoice)
    updated_holds: list[tuple[str, str, str]] = field(default_factory=list)  # (hold id, fingerprint, finding json)
    prompt_pay: PromptPayDates = PromptPayDates()
    defects: list[dict[str, Any]] | None = None
    return_by: dt.date | None = None

    @property
    def released_hold_ids(self) -> list[str]:
        return [h.id for h in self.released]

    @property
    def findings_json(self) -> str:
        if not self.record.findings:
            return "[]"
        return json.dumps(list(self.record.findings), sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class ClockTerms:
    """What an invoice's purchase orders and vendor say about its clock (``prompt_pay_records``): the rule set the
    contract follows when the law gives it its own (the order's, else the vendor's), and federal or grant money."""

    rule_set: str | None = None
    federally_funded: bool = False
    funds_received_on: dt.date | None = None  # when every funded order's money has arrived: the last arrival


NO_TERMS = ClockTerms()


def clock_terms(uow: APUnitOfWork, invoices: Sequence[Any]) -> dict[str, ClockTerms]:
    """Each invoice's ``ClockTerms``, from two grouped reads (invoices with none set are left out)."""
    po_ids = {inv.id: sorted({line.po_id for line in inv.lines if line.po_id}) for inv in invoices}
    vendors = uow.prompt_pay.vendor_terms(sorted({inv.vendor_id for inv in invoices}))
    pos = uow.prompt_pay.po_terms(sorted({p for ps in po_ids.values() for p in ps}))
    out: dict[str, ClockTerms] = {}
    for inv in invoices:
        mine = [pos[p] for p in po_ids[inv.id] if p in pos]
        vendor = vendors.get(inv.vendor_id)
        rule_set = next((t.rule_set for t in mine if t.rule_set), None) or (vendor.rule_set if vendor else None)
        funded = [t.funds_received_on for t in mine if t.federally_funded]
        arrived = None if not funded or None in funded else max(d for d in funded if d is not None)
        if rule_set or funded:
            out[inv.id] = ClockTerms(rule_set, bool(funded), arrived)
    return out


class _EarlierOnly:
    """The duplicate pool seen from one invoice: only invoices entered before it count as the original."""

    def __init__(self, index: DuplicateIndex) -> None:
        self._index = index

    def matches(self, key: DuplicateKey) -> tuple[DuplicateMatch, ...]:
        return tuple(m for m in self._index.matches(key) if m.other_invoice_id < key.invoice_id)

    def add(self, key: DuplicateKey) -> None:
        pass  # the pool is already every stored invoice


class Matcher:
    """The persistence side of matching, used by every AP service inside its own unit of work."""

    def __init__(self, deps: APDeps) -> None:
        self._d = deps
        self._clean_digests: dict[str, str] = {}
        self._clocks: dict[tuple[dt.date | None, ...] | tuple[object, ...], PromptPayDates] = {}

    def _digest(self, result: MatchResult) -> str:
        """``result.digest()``; a clean result's digest depends only on the policy version, so it is kept."""
        if result.findings:
            return result.digest()
        found = self._clean_digests.get(result.policy_version)
        if found is None:
            found = self._clean_digests[result.policy_version] = result.digest()
        return found

    def rematch_in(self, uow: APUnitOfWork, invoice_ids: Sequence[str], *, trigger: str,
                   document: str | None = None) -> dict[str, MatchOutcome]:
        """Re-match ``invoice_ids`` after ``trigger`` (``receipt``, ``credit_memo``, ``corrected``, ...) caused by
        ``document`` (its id), inside ``uow``; the caller commits."""
        ids = sorted(set(invoice_ids))
        loaded, keys = uow.match_queries.load(ids)
        wanted = [n for n, r in enumerate(loaded) if r.invoice.status in MATCHABLE]
        if not wanted:
            return {}
        records = [loaded[n] for n in wanted]
        outcomes = self.match_records(uow, records, trigger=trigger, keys=[keys[n] for n in wanted],
                                      document=document)
        uow.match_queries.save(list(outcomes.values()))
        self._audit_releases(uow, outcomes.values(), trigger, document)
        return outcomes

    def redate_in(self, uow: APUnitOfWork, invoice_ids: Sequence[str]) -> list[str]:
        """Date the clock of approved invoices that had none (a federally funded order's money had not arrived),
        now that it may start; the caller commits. An approved invoice already dated keeps its date and rule."""
        stored = [r for i in sorted(set(invoice_ids)) if (r := uow.invoices.get(i)) is not None]
        loaded, _ = uow.match_queries.load([r.invoice.id for r in stored if r.prompt_pay.due_date is None])
        waiting = [r for r in loaded if r.invoice.status is InvoiceStatus.APPROVED and r.invoice.invoice_date is not None]
        if not waiting:
            return []
        invoices = [r.invoice for r in waiting]
        context = uow.match_queries.context_for(invoices)
        deliveries = uow.match_queries.deliveries(sorted({ln.po_id for inv in invoices for ln in inv.lines if ln.po_id}))
        terms = clock_terms(uow, invoices)
        dated = []
        for r in waiting:
            inv = r.invoice
            assert inv.invoice_date is not None
            dates = self._clock(r, inv.invoice_date, context, deliveries, inv.received_on or inv.invoice_date,
                                terms.get(inv.id, NO_TERMS))
            if dates.due_date is not None:
                uow.prompt_pay.redate(inv.id, dates)
                dated.append(inv.id)
        return dated

    def _audit_releases(self, uow: APUnitOfWork, outcomes: Any, trigger: str, document: str | None) -> None:
        """One audit event per hold the facts cleared, as a person's release is (``invoice_hold_released``)."""
        for o in outcomes:
            for hold in o.released:
                self._d.record(uow, SYSTEM_ACTOR, "invoice_hold_released", o.invoice_id,
                               {"hold": hold.hold, "status": "open"}, {"hold": hold.hold, "status": "released"},
                               detail={"hold_id": hold.id, "hold": hold.hold, "subject": hold.subject, "kind": "auto",
                                       "trigger": trigger, "document": document or o.invoice_id,
                                       "match_result_id": o.record.id})

    def match_records(self, uow: APUnitOfWork, records: Sequence[InvoiceRecord], *, trigger: str,
                      keys: Sequence[DuplicateKey] | None = None,
                      document: str | None = None) -> dict[str, MatchOutcome]:
        policy = self._d.policies.tolerance
        q = uow.match_queries
        invoices = [r.invoice for r in records]
        ids = [inv.id for inv in invoices]
        context = q.context_for(invoices)
        index = DuplicateIndex(policy.duplicate_window_days)
        for key in q.duplicate_pool(keys if keys is not None else [DuplicateKey.of(inv) for inv in invoices]):
            index.add(key)
        releases = q.manual_releases(ids)
        # Only the holds matching raises are matching's to keep or release (see the module docstring).
        open_holds = {invoice_id: owned for invoice_id, holds in q.open_holds(ids).items()
                      if (owned := [h for h in holds if h.hold in MATCH_HOLDS])}
        deliveries = q.deliveries(sorted({line.po_id for inv in invoices for line in inv.lines if line.po_id}))
        terms = clock_terms(uow, invoices)
        results = match_batch(invoices, context, policy, duplicate_index=_EarlierOnly(index), releases=releases,
                              keys={k.invoice_id: k for k in keys} if keys is not None else None)
        now = format_time(self._d.now())
        match_ids = iter(new_ids("match_result", len(records)))
        outcomes = {r.invoice.id: self._outcome(r, results[r.invoice.id], releases.get(r.invoice.id, ()),
                                                open_holds.get(r.invoice.id, ()), context, deliveries, now, trigger,
                                                next(match_ids), terms.get(r.invoice.id, NO_TERMS))
                    for r in records}
        if document is not None:
            for o in outcomes.values():
                o.document = document
        return outcomes

    def _outcome(self, rec: InvoiceRecord, result: MatchResult, releases: Sequence[ManualRelease],
                 open_holds: Sequence[HoldRecord], context: MatchContext,
                 deliveries: Mapping[tuple[str, int], tuple[dt.date | None, dt.date | None]], now: str,
                 trigger: str, match_id: str, terms: ClockTerms = NO_TERMS) -> MatchOutcome:
        inv = rec.invoice
        active = active_hold_keys(result, releases) if result.findings else frozenset()
        after = InvoiceStatus.HELD if active else InvoiceStatus.MATCHED  # matching.status_after_match
        if after is not inv.status:
            transition(inv.status, after)
        findings = tuple(finding_doc(f) for f in result.findings)
        match = MatchRecord(match_id, inv.id, rec.version, now, trigger, result.policy_version, self._digest(result),
                            findings, after.value)
        out = MatchOutcome(inv.id, rec.version, inv.status, after, result, match)
        if not result.findings and not open_holds:  # the common case: clean, and nothing was held before
            if inv.invoice_date is not None:
                out.prompt_pay = self._clock(rec, inv.invoice_date, context, deliveries,
                                             inv.received_on or inv.invoice_date, terms)
            return out
        by_key = {f.key: f for f in result.findings}
        still_open = set()
        for hold in open_holds:
            finding = by_key.get(hold.key)
            if hold.key not in active or finding is None:
                out.released.append(hold)
                continue
            still_open.add(hold.key)
            fingerprint = finding.fingerprint()
            if fingerprint != hold.fingerprint:
                out.updated_holds.append((hold.id, fingerprint, json.dumps(finding_doc(finding), sort_keys=True)))
        fresh = sorted(active - still_open)
        for key, hold_id in zip(fresh, new_ids("hold", len(fresh)) if fresh else ()):
            f = by_key[key]
            out.new_holds.append(HoldRecord(hold_id, inv.id, f.hold.value, f.rule.value, f.subject,
                                            f.fingerprint(), finding_doc(f), "open", now, match.id))
        improper = [f for f in result.findings if f.hold is Hold.INVOICE_NOT_PROPER]
        received = inv.received_on or inv.invoice_date or self._d.today()
        if improper:
            out.defects = [{"defect": f.detail[0] if f.detail else f.rule.value, "subject": f.subject,
                            "explanation": f.explanation} for f in improper]
            out.return_by, rule = self._return_by(received, _category(inv, context), terms)
            out.prompt_pay = PromptPayDates(policy_version=self._d.policies.prompt_pay.version, rule=rule)
        elif inv.invoice_date is not None:
            out.prompt_pay = self._clock(rec, inv.invoice_date, context, deliveries, received, terms)
        return out

    def _return_by(self, received: dt.date, category: str | None, terms: ClockTerms) -> tuple[dt.date, str]:
        """The day an improper invoice must go back by, under the rule set in force when it was received (the
        policy's ``improper_return_days`` for the federal rule, as before, and where an act sets no period)."""
        policy, rules = self._d.policies.prompt_pay, self._d.policies.prompt_pay_rules
        rule_set = rules.rule_set_for(received, category, contract=terms.rule_set)
        by = None if rule_set.name == FEDERAL else improper_return_by(rule_set, received, calendar=rules.calendar,
                                                                      category=category)
        return by or received + dt.timedelta(days=policy.improper_return_days), label_of(rule_set, category)

    def _clock(self, rec: InvoiceRecord, invoice_date: dt.date, context: MatchContext,
               deliveries: Mapping[tuple[str, int], tuple[dt.date | None, dt.date | None]],
               received: dt.date, terms: ClockTerms = NO_TERMS) -> PromptPayDates:
        """Receipt date = later of invoice receipt and acceptance (deemed 7 days after the last delivery)."""
        inv = rec.invoice
        delivered: list[dt.date] = []
        accepted: list[dt.date] = []
        category = None
        for line in inv.lines:
            key = (line.po_id or "", line.po_line_no or 0)
            facts = context.lines.get(key)
            if facts is None:
                continue
            category = category or facts.category
            on, acc = deliveries.get(key, (None, None))
            if on is None and facts.match_level is MatchLevel.TWO_WAY:
                on = received  # services billed 2-way: performance is evidenced by the invoice itself
            if on is not None:
                delivered.append(on)
            if acc is not None:
                accepted.append(acc)
        clock_key = (invoice_date, inv.received_on, max(delivered) if delivered else None,
                     max(accepted) if accepted else None, category, terms)
        dates = self._clocks.get(clock_key)
        if dates is None:  # a batch repeats the same few dates: the clock is a pure function of them
            dates = self._clocks[clock_key] = self._start_clock(*clock_key)
            if len(self._clocks) > 65_536:
                self._clocks.clear()
        return dates

    def _start_clock(self, invoice_date: dt.date, received_on: dt.date | None, delivered_on: dt.date | None,
                     accepted_on: dt.date | None, category: str | None, terms: ClockTerms) -> PromptPayDates:
        policy, rules = self._d.policies.prompt_pay, self._d.policies.prompt_pay_rules
        # the law in force when received: the contract's (or vendor's) own where staff set one, else the agency's
        rule_set = rules.rule_set_for(received_on or invoice_date, category, contract=terms.rule_set)
        label = label_of(rule_set, category)
        try:
            if rule_set.name != FEDERAL:
                due = due_date(rule_set, ClockEvents(invoice_date, received_on, delivered_on, accepted_on,
                                                     terms.funds_received_on, terms.federally_funded),
                               calendar=rules.calendar, category=category)
                return PromptPayDates(due.acceptance_on, due.start_date, due.due_date, policy.version, label)
            clock = start_clock(invoice_date=invoice_date, invoice_received_on=received_on, delivered_on=delivered_on,
                                accepted_on=accepted_on, policy=policy, category=category)
        except ClockNotStarted:
            return PromptPayDates(policy_version=policy.version, rule=label)
        return PromptPayDates(clock.acceptance_on, clock.receipt_date, clock.due_date, clock.policy_version, label)


def _category(inv: Any, context: MatchContext) -> str | None:
    """The purchase category of the first invoice line whose PO line names one (what the clock uses too)."""
    for line in inv.lines:
        facts = context.lines.get((line.po_id or "", line.po_line_no or 0))
        if facts is not None and facts.category:
            return str(facts.category)
    return None


__all__ = ["MATCHABLE", "MatchOutcome", "Matcher", "finding_doc"]
