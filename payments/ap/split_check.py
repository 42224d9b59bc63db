"""The split-purchase rule (``payments.ap.split_purchases``) applied to one invoice inside a unit of work: load the
vendor's invoices in the window, judge, and keep the ``split_suspected`` hold that explains why two approvers
are needed. Invoice approval and the invoice view both ask here, so they always agree."""

from __future__ import annotations

import hashlib

from ulid import ULID

from payments.ap.ap_deps import APDeps
from payments.ap.ap_ports import APUnitOfWork
from payments.ap.ap_records import HoldRecord
from payments.ap.documents import Invoice
from payments.ap.split_purchases import SPLIT_SUSPECTED, SplitCandidate, SplitSignal, split_signal, window


def split_signal_in(uow: APUnitOfWork, deps: APDeps, invoice: Invoice) -> SplitSignal | None:
    """Why ``invoice`` is split suspected now, or None."""
    policy = deps.policies.approval
    threshold = policy.thresholds_minor.get(invoice.currency)
    if threshold is None or invoice.invoice_date is None or invoice.total_minor > threshold:
        return None
    since, until = window(invoice.invoice_date, policy.split_window_days)
    others = uow.invoices.split_candidates(invoice.vendor_id, invoice.currency, since, until, threshold)
    me = SplitCandidate(invoice.id, invoice.vendor_id, invoice.currency, invoice.invoice_date, invoice.total_minor)
    return split_signal(me, others, thresholds_minor=policy.thresholds_minor, window_days=policy.split_window_days)


def hold_split_in(uow: APUnitOfWork, signal: SplitSignal, *, at: str) -> bool:
    """Open the ``split_suspected`` hold on the invoice unless one is open; True when it opened one."""
    if any(h.hold == SPLIT_SUSPECTED for h in uow.invoices.holds(signal.invoice_id, status="open")):
        return False
    facts = signal.facts()
    fingerprint = hashlib.sha256(repr(sorted(facts.items())).encode()).hexdigest()
    uow.invoices.add_hold(HoldRecord(
        f"hold_{ULID()}", signal.invoice_id, SPLIT_SUSPECTED, SPLIT_SUSPECTED,
        f"vendor {signal.vendor_id} {signal.window_from.isoformat()}..{signal.window_to.isoformat()}", fingerprint,
        {"rule": SPLIT_SUSPECTED, "hold": SPLIT_SUSPECTED, **facts}, "open", at, f"split_{signal.invoice_id}"[:40]))
    return True


def release_split_in(uow: APUnitOfWork, invoice_id: str, *, by: str, at: str) -> int:
    """The second approver clears the reason for the hold: release it (``auto``, naming who)."""
    released = 0
    for hold in uow.invoices.holds(invoice_id, status="open"):
        if hold.hold == SPLIT_SUSPECTED:
            uow.invoices.release_hold(hold.id, released_by=by, at=at, kind="auto",
                                      reason=f"a second approver ({by}) approved it")
            released += 1
    return released
