"""Disputes and clock stops on an invoice (issue 18): what the invoice's prompt-payment act weighs when a payment run
prices lateness.

- ``open``: the agency noticed the vendor of a dispute (an error, an amount it contests) on ``noticed_on``. The
  invoice gets the ``invoice_disputed`` hold, so no run pays it while the dispute is open. Whether the notice was in
  time is the act's to say (Texas: by the 21st day after receipt; Washington: before the date of timely payment;
  Florida and New York: any time) and is shown with the dispute.
- ``resolve``: decided for the agency or for the vendor on ``resolved_on``; the hold is released and the payment run
  prices interest as the act says (Texas for the agency: the corrected invoice's own due date, so its receipt date
  is required; Florida for the agency: from 15 days after the decision; Washington: none; for the vendor: from the
  original due date).
- ``record_stop`` / ``end_stop``: a reason the invoice's act names (``exempt.stops``): Texas's misaddressed invoice,
  New York's legal process, Washington's cause beyond the agency's control; a reason the act does not name is
  refused, naming those it does.

Only an approver (``invoice.dispute``) records them; each is an audit event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from typing import Any

from ulid import ULID

from payments.ap.ap_deps import APDeps, require
from payments.ap.ap_ports import APUnitOfWork
from payments.ap.ap_records import HoldRecord, InvoiceRecord
from payments.ap.documents import InvoiceStatus
from payments.ap.prompt_pay_errors import (DisputeAlreadyOpen, DisputeNeedsCorrectedInvoice, DisputeNotOpen,
                                           DisputedAmountOutOfRange, InvoiceNotDisputable, NoticeBeforeReceipt,
                                           ResolvedBeforeNotice, StopAlreadyEnded, StopEndsBeforeStart,
                                           StopNotInRuleSet)
from payments.ap.prompt_pay_records import (DISPUTE_HOLD, ClockStopRecord, DisputeRecord, DisputeStatus, ResolvedFor)
from payments.ap.prompt_pay_rules.accrual import notice_deadline
from payments.ap.prompt_pay_rules.agency import federal_label, parse_label
from payments.ap.prompt_pay_rules.clock import due_from
from payments.errors import DateInFuture, ReasonRequired
from payments.identity import Action, Principal, authorize

DISPUTABLE = frozenset({InvoiceStatus.ENTERED, InvoiceStatus.HELD, InvoiceStatus.MATCHED, InvoiceStatus.APPROVED})


@dataclass(frozen=True, slots=True)
class NewDispute:
    noticed_on: dt.date
    reason: str
    disputed_minor: int | None = None


@dataclass(frozen=True, slots=True)
class DisputeResolution:
    resolved_for: ResolvedFor
    resolved_on: dt.date
    resolution: str = ""
    corrected_received_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class NewClockStop:
    reason: str
    from_day: dt.date
    to_day: dt.date | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class DisputeView:
    """A dispute with what the invoice's act makes of its notice."""

    dispute: DisputeRecord
    rule: str | None
    notice_deadline: dt.date | None  # None: the act sets none (or the invoice has no clock yet)
    in_time: bool


def _not_future(day: dt.date, field: str, today: dt.date) -> None:
    if day > today:
        raise DateInFuture(f"{field} {day.isoformat()} is in the future", field=field)


class InvoiceDisputeService:
    def __init__(self, deps: APDeps) -> None:
        self._d = deps

    # -- disputes ------------------------------------------------------------------------------------------
    def open(self, principal: Principal, invoice_id: str, cmd: NewDispute) -> DisputeView:
        authorize(principal, Action.INVOICE_DISPUTE)
        reason = cmd.reason.strip()
        if not reason:
            raise ReasonRequired("say what is disputed", field="reason")
        with self._d.uow() as uow:
            rec = require(uow.invoices.get(invoice_id), "invoice", invoice_id)
            if rec.invoice.status not in DISPUTABLE:
                raise InvoiceNotDisputable(f"invoice {invoice_id} is {rec.invoice.status.value}; only an unpaid invoice is disputed")
            received = rec.invoice.received_on or rec.invoice.invoice_date
            _not_future(cmd.noticed_on, "noticed_on", self._d.today())
            if received is not None and cmd.noticed_on < received:
                raise NoticeBeforeReceipt(f"the notice ({cmd.noticed_on.isoformat()}) cannot come before the invoice was "
                                          f"received ({received.isoformat()})", field="noticed_on")
            if cmd.disputed_minor is not None and not 0 < cmd.disputed_minor <= rec.invoice.total_minor:
                raise DisputedAmountOutOfRange("the disputed amount is more than zero and at most the invoice total",
                                               field="disputed_amount")
            if any(d.status is DisputeStatus.OPEN for d in uow.prompt_pay.disputes(invoice_id)):
                raise DisputeAlreadyOpen(f"invoice {invoice_id} already has an open dispute; resolve it first")
            dispute_id, hold_id = f"dsp_{ULID()}", f"hold_{ULID()}"
            stamp = self._d.stamp(principal)
            dispute = DisputeRecord(dispute_id, invoice_id, cmd.noticed_on, reason, cmd.disputed_minor, hold_id, stamp)
            finding = {"rule": DISPUTE_HOLD, "hold": DISPUTE_HOLD, "subject": f"dispute {dispute_id}",
                       "dispute_id": dispute_id, "noticed_on": cmd.noticed_on.isoformat(), "reason": reason,
                       "explanation": f"Disputed with the vendor on {cmd.noticed_on.isoformat()}: {reason}. No run pays "
                                      "this invoice until the dispute is resolved."}
            hold = HoldRecord(hold_id, invoice_id, DISPUTE_HOLD, DISPUTE_HOLD, f"dispute {dispute_id}",
                              hashlib.sha256(f"{DISPUTE_HOLD}:{dispute_id}".encode()).hexdigest(), finding, "open",
                              stamp.at or "", dispute_id)
            uow.prompt_pay.add_dispute(dispute, hold)
            view = self._view(rec, dispute)
            self._d.record(uow, principal, "invoice_dispute_opened", invoice_id, None,
                           {"dispute_id": dispute_id, "status": "open"},
                           detail={"noticed_on": cmd.noticed_on.isoformat(), "reason": reason, "hold_id": hold_id,
                                   "disputed_minor": cmd.disputed_minor, "rule": view.rule, "in_time": view.in_time})
            uow.commit()
        return view

    def resolve(self, principal: Principal, invoice_id: str, dispute_id: str, cmd: DisputeResolution) -> DisputeView:
        authorize(principal, Action.INVOICE_DISPUTE)
        with self._d.uow() as uow:
            rec = require(uow.invoices.get(invoice_id), "invoice", invoice_id)
            dispute = next((d for d in uow.prompt_pay.disputes(invoice_id) if d.id == dispute_id), None)
            dispute = require(dispute, "dispute", dispute_id)
            if dispute.status is not DisputeStatus.OPEN:
                raise DisputeNotOpen(f"dispute {dispute_id} was resolved on {dispute.resolved_on}")
            _not_future(cmd.resolved_on, "resolved_on", self._d.today())
            if cmd.resolved_on < dispute.noticed_on:
                raise ResolvedBeforeNotice("a dispute is resolved on or after the day it was noticed", field="resolved_on")
            corrected_due = self._corrected_due(rec, cmd)
            resolved = replace(dispute, status=DisputeStatus.RESOLVED, resolved_on=cmd.resolved_on,
                               resolved_for=cmd.resolved_for, corrected_received_on=cmd.corrected_received_on,
                               corrected_due_date=corrected_due, resolution=cmd.resolution.strip(),
                               resolved=self._d.stamp(principal))
            uow.prompt_pay.resolve_dispute(resolved)
            why = f"dispute {dispute_id} resolved for the {cmd.resolved_for.value} on {cmd.resolved_on.isoformat()}"
            if any(h.id == dispute.hold_id and h.status == "open" for h in uow.invoices.holds(invoice_id)):
                uow.invoices.release_hold(dispute.hold_id, released_by=principal.user_id, at=self._d.now_text(),
                                          reason=why, kind="manual")
            self._d.record(uow, principal, "invoice_dispute_resolved", invoice_id,
                           {"dispute_id": dispute_id, "status": "open"},
                           {"dispute_id": dispute_id, "status": "resolved", "resolved_for": cmd.resolved_for.value},
                           detail={"resolved_on": cmd.resolved_on.isoformat(), "hold_id": dispute.hold_id,
                                   "corrected_due_date": corrected_due.isoformat() if corrected_due else None,
                                   "resolution": resolved.resolution})
            uow.commit()
        return self._view(rec, resolved)

    def _corrected_due(self, rec: InvoiceRecord, cmd: DisputeResolution) -> dt.date | None:
        """Texas for the agency: the corrected invoice is paid under 2251.021, its own clock from its receipt."""
        corrected = cmd.corrected_received_on
        label = rec.prompt_pay.rule
        rule_set, category = parse_label(label or federal_label())
        terms = rule_set.rule_for(category).dispute
        restarts = (terms is not None and cmd.resolved_for is ResolvedFor.AGENCY
                    and terms.if_resolved_for_agency == "restart_on_corrected_invoice")
        if corrected is None:
            if restarts:
                raise DisputeNeedsCorrectedInvoice(f"under {label} a dispute resolved for the agency restarts the clock on the "
                                                   "corrected invoice: give the day it was received", field="corrected_received_on")
            return None
        _not_future(corrected, "corrected_received_on", self._d.today())
        start = max(d for d in (rec.prompt_pay.receipt_date, corrected) if d is not None)
        if not restarts:
            return None
        return due_from(rule_set, start, calendar=self._d.policies.prompt_pay_rules.calendar, category=category)

    def _view(self, rec: InvoiceRecord, dispute: DisputeRecord) -> DisputeView:
        label = rec.prompt_pay.rule
        if label is None or rec.prompt_pay.due_date is None:
            return DisputeView(dispute, label, None, True)
        rule_set, category = parse_label(label)
        received = rec.invoice.received_on or rec.invoice.invoice_date
        deadline = notice_deadline(rule_set.rule_for(category), rec.prompt_pay.due_date, received)
        return DisputeView(dispute, label, deadline, deadline is None or dispute.noticed_on <= deadline)

    def disputes(self, invoice_id: str) -> list[DisputeView]:
        with self._d.uow(read_only=True) as uow:
            rec = require(uow.invoices.get(invoice_id), "invoice", invoice_id)
            return [self._view(rec, d) for d in uow.prompt_pay.disputes(invoice_id)]

    # -- clock stops ---------------------------------------------------------------------------------------
    def record_stop(self, principal: Principal, invoice_id: str, cmd: NewClockStop) -> ClockStopRecord:
        authorize(principal, Action.INVOICE_DISPUTE)
        with self._d.uow() as uow:
            rec = require(uow.invoices.get(invoice_id), "invoice", invoice_id)
            if rec.invoice.status not in DISPUTABLE:
                raise InvoiceNotDisputable(f"invoice {invoice_id} is {rec.invoice.status.value}; a clock stop is recorded on an "
                                           "unpaid invoice")
            label = rec.prompt_pay.rule or federal_label()
            rule_set, category = parse_label(label)
            known = rule_set.rule_for(category).stops
            if cmd.reason not in known:
                named = ", ".join(f"{k} ({v})" for k, v in sorted(known.items())) or "none"
                raise StopNotInRuleSet(f"{label} does not stop the clock for {cmd.reason!r}; the reasons it names are: "
                                       f"{named}", field="reason")
            _not_future(cmd.from_day, "from", self._d.today())
            if cmd.to_day is not None and cmd.to_day < cmd.from_day:
                raise StopEndsBeforeStart("a stop ends on or after the day it starts", field="to")
            stop = ClockStopRecord(f"stp_{ULID()}", invoice_id, cmd.reason, cmd.from_day, cmd.to_day, cmd.note.strip(),
                                   self._d.stamp(principal))
            uow.prompt_pay.add_stop(stop)
            self._record_stop(uow, principal, "invoice_clock_stop_recorded", stop, effect=known[cmd.reason], rule=label)
            uow.commit()
        return stop

    def end_stop(self, principal: Principal, invoice_id: str, stop_id: str, to_day: dt.date) -> ClockStopRecord:
        authorize(principal, Action.INVOICE_DISPUTE)
        with self._d.uow() as uow:
            stop = require(next((s for s in uow.prompt_pay.stops(invoice_id) if s.id == stop_id), None),
                           "clock stop", stop_id)
            if stop.to_day is not None:
                raise StopAlreadyEnded(f"clock stop {stop_id} ended on {stop.to_day.isoformat()}")
            if to_day < stop.from_day:
                raise StopEndsBeforeStart("a stop ends on or after the day it starts", field="to")
            ended = replace(stop, to_day=to_day, ended=self._d.stamp(principal))
            uow.prompt_pay.end_stop(ended)
            self._record_stop(uow, principal, "invoice_clock_stop_ended", ended)
            uow.commit()
        return ended

    def stops(self, invoice_id: str) -> list[ClockStopRecord]:
        with self._d.uow(read_only=True) as uow:
            require(uow.invoices.get(invoice_id), "invoice", invoice_id)
            return uow.prompt_pay.stops(invoice_id)

    def _record_stop(self, uow: APUnitOfWork, principal: Principal, action: str, stop: ClockStopRecord,
                     **detail: Any) -> None:
        self._d.record(uow, principal, action, stop.invoice_id, None,
                       {"stop_id": stop.id, "reason": stop.reason, "from": stop.from_day.isoformat(),
                        "to": stop.to_day.isoformat() if stop.to_day else None}, detail={"note": stop.note, **detail})


__all__ = ["DISPUTABLE", "DisputeResolution", "DisputeView", "InvoiceDisputeService", "NewClockStop", "NewDispute"]
