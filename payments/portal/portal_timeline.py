"""An invoice as its vendor sees it: where it stands, what happened to it and when, and what interest it has earned.

Built from what the AP, payment and reconciliation modules already record (the invoice's stamps, every match
result, the holds and their releases, the payments that carried it, the ledger's ``payment_sent``, the bank's
settlement and return), so the timeline never disagrees with the books. Who did something is never shown: a
vendor learns that a hold was cleared by our staff, not by whom or with what internal reason.

Pure: the portal service loads the facts and hands them in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from decimal import Decimal
from typing import Any

from payments.ap.ap_records import HoldRecord, InvoiceRecord
from payments.business_days import BusinessCalendar
from payments.ap.documents import InvoiceStatus
from payments.ap.amounts import format_money
from payments.ap.matching.match_findings import Hold
from payments.disbursements.payment_states import PaymentKind, PaymentStatus
from payments.portal.portal_messages import (BANK_HOLD_MESSAGES, PAYMENT_FAILED, PAYMENT_RETURNED, VendorContext,
                                      hold_message, improper_message, payment_returned_message, vendor_code)
from payments.portal.portal_ports import MatchStep
from payments.portal.portal_status import PaidWith, arrived, reference_words, status_words, vendor_status
from payments.portal.portal_status import current as current_payment
from payments.ap.prompt_pay import NoRateInEffect, PromptPayPolicy, RateTable, late_payment_interest
from payments.ap.prompt_pay_rules.agency import AgencyRules, federal_label, in_plain_words, is_federal
from payments.ap.prompt_pay_rules.facts import PromptPayFacts

# The order of events that share a moment (a manual release re-matches in the same instant).
_RANK = {"received": 0, "held": 1, "hold_released": 2, "matched": 3, "returned_to_vendor": 3, "approved": 4,
         "scheduled": 5, "sent": 6, "paid": 7, "payment_failed": 8, "payment_cancelled": 8, "returned": 9,
         "cancelled": 10}

_HOLD_TITLES = {
    Hold.QTY_ORDERED.value: "more billed than ordered", Hold.QTY_RECEIVED.value: "more billed than received",
    Hold.QTY_ACCEPTED.value: "more billed than accepted", Hold.PRICE.value: "price above the purchase order",
    Hold.AMOUNT_ORDERED.value: "more billed than the line was ordered for",
    Hold.MAX_TOTAL.value: "purchase order limit", Hold.PO_NOT_APPROVED.value: "purchase order not approved",
    Hold.PO_CLOSED.value: "purchase order closed", Hold.CURRENCY_MISMATCH.value: "currency",
    Hold.DUPLICATE_SUSPECTED.value: "possible duplicate", Hold.VENDOR_MISMATCH.value: "purchase order reference",
    Hold.INVOICE_NOT_PROPER.value: "missing information", PAYMENT_RETURNED: "payment returned by your bank",
    PAYMENT_FAILED: "payment not sent",
}

_SENT = frozenset({PaymentStatus.SENT, PaymentStatus.SETTLED, PaymentStatus.RETURNED})


def parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One step: ``event`` is one of received, held, hold_released, matched, approved, scheduled, sent, paid,
    returned, payment_failed, payment_cancelled, returned_to_vendor, cancelled."""

    event: str
    at: dt.datetime | None
    message: str
    on: dt.date | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class VendorHold:
    code: str
    message: str
    since: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class AccruedInterest:
    """Prompt-pay interest as of ``as_of``. ``state``: not_started (no proper invoice / acceptance yet),
    not_due, accruing, not_accruing (late, but the act's grace period, an exemption or a dispute keeps interest
    from running), on_hold (held invoices accrue nothing here), scheduled (what the payment will add), paid,
    no_rate (the policy has no rate for the first day late)."""

    state: str
    as_of: dt.date
    receipt_date: dt.date | None
    due_date: dt.date | None
    days_late: int = 0
    annual_rate: Decimal | None = None
    interest_minor: int = 0
    payable_minor: int = 0
    rule: str | None = None  # the prompt-payment rule set, "name@version[/category]"
    law: str | None = None  # the same in plain words: which law, overdue since, the rate and from when


@dataclass(frozen=True, slots=True)
class InterestRules:
    """The prompt-pay settings interest is computed with (the payment run's own, so both agree)."""

    prompt_pay: PromptPayPolicy
    rates: RateTable | None
    calendar: BusinessCalendar | None = None
    agency: AgencyRules | None = None  # the state acts; invoices under the federal rule use the fields above


@dataclass(frozen=True, slots=True)
class InvoiceForVendor:
    record: InvoiceRecord
    status: str
    events: tuple[TimelineEvent, ...]
    holds: tuple[VendorHold, ...]
    interest: AccruedInterest
    payments: tuple[PaidWith, ...]
    po_numbers: Mapping[str, str] = field(default_factory=dict)  # the vendor's own purchase orders only
    # The status in a sentence that says only what has happened: "scheduled for 2026-12-15", "sent, expected
    # 2026-12-15", "paid: …", "cancelled: duplicate of your invoice A-1" (``status_words``).
    status_text: str = ""


def _sent_or_effective(p: PaidWith) -> dt.datetime:
    return parse_time(p.facts.sent_at) or _day_start(p.payment.effective_date)


def _open_holds(holds: Sequence[HoldRecord], ctx: VendorContext) -> list[VendorHold]:
    open_ = [h for h in holds if h.status == "open"]
    improper = [h for h in open_ if h.hold == Hold.INVOICE_NOT_PROPER.value]
    out = [VendorHold(vendor_code(h.hold, h.finding, ctx), hold_message(h.hold, h.finding, ctx),
                      parse_time(h.raised_at)) for h in open_ if h.hold != Hold.INVOICE_NOT_PROPER.value]
    if improper:
        out.append(VendorHold(Hold.INVOICE_NOT_PROPER.value,
                              improper_message([h.finding for h in improper], ctx.currency),
                              min((t for h in improper if (t := parse_time(h.raised_at)) is not None), default=None)))
    return _distinct(out)


def _distinct(holds: Iterable[VendorHold]) -> list[VendorHold]:
    """One entry per sentence: two findings that read the same to a vendor (a foreign PO) are said once."""
    seen, out = set(), []
    for h in holds:
        if (h.code, h.message) not in seen:
            seen.add((h.code, h.message))
            out.append(h)
    return out


def _match_events(steps: Sequence[MatchStep], holds: Sequence[HoldRecord], ctx: VendorContext) -> list[TimelineEvent]:
    events: list[TimelineEvent] = []
    previous = None
    for step in sorted(steps, key=lambda s: (s.matched_at, s.match_id)):
        raised = [h for h in holds if h.match_result_id == step.match_id]
        if step.status_after == InvoiceStatus.HELD.value and (raised or previous != step.status_after):
            shown = _open_holds([HoldRecord(**{**_fields(h), "status": "open"}) for h in raised], ctx)
            events.append(TimelineEvent(
                "held", parse_time(step.matched_at),
                "Held before payment: " + " ".join(h.message for h in shown) if shown else
                "Held before payment while our staff review it.", facts={"holds": [h.code for h in shown]}))
        elif step.status_after == InvoiceStatus.MATCHED.value and previous != step.status_after:
            events.append(TimelineEvent("matched", parse_time(step.matched_at),
                                        "Matched to the purchase order and what we received; waiting for approval."))
        previous = step.status_after
    return events


def _fields(h: HoldRecord) -> dict[str, Any]:
    return {name: getattr(h, name) for name in HoldRecord.__dataclass_fields__}


def _release_events(holds: Sequence[HoldRecord], ctx: VendorContext) -> list[TimelineEvent]:
    groups: dict[tuple[str, str], list[HoldRecord]] = {}
    for h in holds:
        # Closed by cancelling the invoice: nothing "arrived"; the cancellation is its own event.
        if h.status == "released" and h.released_at and h.release_kind != "cancel":
            groups.setdefault((h.released_at, h.release_kind or "auto"), []).append(h)
    events = []
    for (at, kind), released in sorted(groups.items()):
        titles = sorted({_HOLD_TITLES.get(vendor_code(h.hold, h.finding, ctx), "review") for h in released})
        how = ("cleared by our accounts payable staff" if kind == "manual" else
               "cleared: what we were waiting for arrived (a delivery, a credit or a corrected invoice)")
        if all(h.hold in (PAYMENT_RETURNED, PAYMENT_FAILED) for h in released):
            how = "cleared: the invoice will be paid again in a coming payment run"
        events.append(TimelineEvent("hold_released", parse_time(at), f"Hold ({', '.join(titles)}) {how}.",
                                    facts={"holds": sorted({vendor_code(h.hold, h.finding, ctx) for h in released})}))
    return events


def _payment_events(paid_with: Sequence[PaidWith], masks: Mapping[str, str], currency: str,
                    today: dt.date) -> list[TimelineEvent]:
    events = []
    for p in paid_with:
        pay, item, facts = p.payment, p.item, p.facts
        amount = format_money(item.paid_minor, currency)
        events.append(TimelineEvent(
            "scheduled", pay.created_at,
            f"Scheduled for payment: {amount} in payment {pay.id}, expected in your account on "
            f"{pay.effective_date.isoformat()}.", on=pay.effective_date,
            facts={"payment_id": pay.id, "expected_pay_date": pay.effective_date.isoformat(),
                   "effective_entry_date": pay.effective_date.isoformat()}))
        if pay.status in _SENT:
            account = masks.get(pay.account_id)
            to = f" to your account ending {account[-4:]}" if account else ""
            reference = {"payment_id": pay.id, "trace_number": pay.trace_number, "end_to_end_id": pay.external_id,
                         "effective_entry_date": pay.effective_date.isoformat()}
            events.append(TimelineEvent(
                "sent", _sent_or_effective(p),
                f"Sent: {amount}{to} with {reference_words(pay)}, expected in your account on "
                f"{pay.effective_date.isoformat()}.", on=pay.effective_date, facts=reference))
            if arrived(p, today) or facts.settled_on is not None:
                settled = facts.settled_on
                events.append(TimelineEvent(
                    "paid", _day_start(settled or pay.effective_date),
                    f"Paid: settled on {settled.isoformat()}." if settled else
                    f"Paid: {pay.effective_date.isoformat()} passed and your bank returned nothing.",
                    on=settled or pay.effective_date,
                    facts={**reference, "settled_on": settled.isoformat() if settled else None}))
        if pay.status is PaymentStatus.RETURNED:
            code = facts.returned.reason_code if facts.returned else (pay.status_reason or "")[:3]
            on = facts.returned.returned_on if facts.returned else None
            at = parse_time(facts.returned.recorded_at if facts.returned else None) or \
                (_day_start(on) if on else parse_time(facts.updated_at))
            events.append(TimelineEvent("returned", at, payment_returned_message(code, pay.trace_number), on=on,
                                        facts={"payment_id": pay.id, "reason_code": code,
                                               "trace_number": pay.trace_number}))
        elif pay.status in (PaymentStatus.FAILED, PaymentStatus.CANCELLED):
            what = "could not be sent" if pay.status is PaymentStatus.FAILED else "was withdrawn before it was sent"
            events.append(TimelineEvent(
                f"payment_{pay.status.value}", parse_time(facts.updated_at),
                f"Payment {pay.id} {what}; the invoice will be paid in a later payment run.",
                facts={"payment_id": pay.id}))
    return events


def accrued_interest(record: InvoiceRecord, status: str, paid_with: Sequence[PaidWith], open_holds: int,
                     rules: InterestRules, today: dt.date, facts: PromptPayFacts | None = None) -> AccruedInterest:
    """Interest earned by paying late, as of ``today``, or what the payment carries or carried, under the rule
    set the invoice's due date was computed by (weighing what staff recorded: ``facts``), named and said in plain
    words."""
    out = _accrued(record, status, paid_with, open_holds, rules, today, facts)
    pp = record.prompt_pay
    if pp.due_date is None or out.state == "not_started":
        return out
    label = pp.rule or federal_label()
    late = None
    if out.state == "accruing" and not is_federal(pp.rule) and rules.agency is not None:
        late = rules.agency.interest(label, record.invoice.total_minor, due_date=pp.due_date, paid_on=out.as_of,
                                     calendar=rules.calendar, facts=facts)
    return replace(out, rule=label, law=in_plain_words(label, due_date=pp.due_date, late=late))


def _accrued(record: InvoiceRecord, status: str, paid_with: Sequence[PaidWith], open_holds: int,
             rules: InterestRules, today: dt.date, facts: PromptPayFacts | None = None) -> AccruedInterest:
    pp = record.prompt_pay
    accrued = partial(AccruedInterest, receipt_date=pp.receipt_date, due_date=pp.due_date)
    now = current_payment(paid_with)
    if now is not None and status in ("paid", "sent", "scheduled"):
        return accrued(status, now.payment.effective_date,
                       days_late=max((now.payment.effective_date - pp.due_date).days, 0) if pp.due_date else 0,
                       interest_minor=now.item.interest_minor, payable_minor=now.item.interest_minor)
    if pp.due_date is None or status in ("received", "returned_to_vendor", "cancelled"):
        return accrued("not_started", today)
    if status not in ("matched", "approved", "returned") or open_holds:
        return accrued("on_hold", today)
    if today <= pp.due_date:
        return accrued("not_due", today)
    if not is_federal(pp.rule) and rules.agency is not None:
        return _accrued_under_rule(record, rules.agency, rules.calendar, today, facts)
    if rules.rates is None:
        return accrued("no_rate", today, days_late=(today - pp.due_date).days)
    try:
        late = late_payment_interest(record.invoice.total_minor, due_date=pp.due_date, paid_on=today,
                                     rates=rules.rates, policy=rules.prompt_pay, calendar=rules.calendar)
    except NoRateInEffect:
        return accrued("no_rate", today, days_late=(today - pp.due_date).days)
    if late.days_charged == 0:  # a weekend or holiday due date, paid on the next business day
        return accrued("not_due", today)
    return accrued("accruing", today, days_late=late.days_late,
                           annual_rate=late.rate.annual_rate if late.rate else None,
                           interest_minor=late.interest_minor, payable_minor=late.payable_minor)


def _accrued_under_rule(record: InvoiceRecord, agency: AgencyRules, calendar: BusinessCalendar | None,
                        today: dt.date, facts: PromptPayFacts | None = None) -> AccruedInterest:
    pp = record.prompt_pay
    assert pp.due_date is not None and pp.rule is not None
    accrued = partial(AccruedInterest, receipt_date=pp.receipt_date, due_date=pp.due_date)
    try:
        late = agency.interest(pp.rule, record.invoice.total_minor, due_date=pp.due_date, paid_on=today,
                               calendar=calendar, facts=facts)
    except NoRateInEffect:
        return accrued("no_rate", today, days_late=(today - pp.due_date).days)
    if late.rate is None:  # on time, exempt, or in a grace period the act gives before interest runs
        return accrued("not_due" if late.why_none == "on_time" else "not_accruing", today,
                               days_late=late.days_late)
    yearly = late.rate.per == "year"
    return accrued("accruing", today, days_late=late.days_late,
                           annual_rate=late.rate.fraction() if yearly else None,
                           interest_minor=late.interest_minor, payable_minor=late.payable_minor)


def invoice_for_vendor(record: InvoiceRecord, *, steps: Sequence[MatchStep], holds: Sequence[HoldRecord],
                       paid_with: Sequence[PaidWith], ctx: VendorContext, masks: Mapping[str, str],
                       bank_holds: Sequence[str], rules: InterestRules, today: dt.date,
                       prompt_pay: PromptPayFacts | None = None) -> InvoiceForVendor:
    inv = record.invoice
    live = [p for p in paid_with if p.payment.kind is PaymentKind.LIVE]
    status = vendor_status(record, live, today)
    events = [TimelineEvent("received", parse_time(record.entered.at),
                            f"We received invoice {inv.invoice_number} for {format_money(inv.total_minor, inv.currency)}.",
                            on=inv.received_on)]
    events += _match_events(steps, holds, ctx)
    events += _release_events(holds, ctx)
    if record.approved_at:
        events.append(TimelineEvent("approved", parse_time(record.approved_at), "Approved for payment."))
    events += _payment_events(live, masks, inv.currency, today)
    if inv.status is InvoiceStatus.CANCELLED:
        closed = [parse_time(h.released_at) for h in holds if h.release_kind == "cancel" and h.released_at]
        events.append(TimelineEvent("cancelled", min((t for t in closed if t), default=None) or
                                    parse_time(record.last_changed.at),
                                    status_words("cancelled", record, live, holds, ctx, today).capitalize() + "."))
    if inv.status is InvoiceStatus.RETURNED:
        improper = [h.finding for h in holds if h.hold == Hold.INVOICE_NOT_PROPER.value]
        events.append(TimelineEvent("returned_to_vendor", parse_time(record.returned.at),
                                    "Sent back to you: " + improper_message(improper, inv.currency)))
    far = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    events.sort(key=lambda e: (e.at or far, _RANK.get(e.event, 9)))
    open_holds = _open_holds(holds, ctx)
    if status in ("approved", "returned"):
        open_holds += [VendorHold(code, BANK_HOLD_MESSAGES[code]) for code in bank_holds if code in BANK_HOLD_MESSAGES]
    interest = accrued_interest(record, status, live, len(open_holds), rules, today, prompt_pay)
    return InvoiceForVendor(record, status, tuple(events), tuple(open_holds), interest, tuple(live), ctx.po_numbers,
                            status_words(status, record, live, holds, ctx, today))
