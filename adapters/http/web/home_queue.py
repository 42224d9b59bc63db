"""What needs me today: the home page's counts, by what the viewer's roles let them do.

Each count is of the same filter the card's list page shows, counted up to one more than the cap: invoices by
``Worklist.count`` (one index-only query that stops at the cap, never rows built to be counted), runs, exceptions
and bank changes by their services' lists. A count past the cap shows as "100+" rather than a number it did not
check. A card shows only to those whose roles grant the action it leads to; the server checks again on the page
the card links to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from adapters.http.web.i18n import N_
from adapters.http.web.viewer import Viewer
from payments.ap.worklist import InvoiceFilter, Worklist
from payments.disbursements.payment_states import RunStatus
from payments.identity import Action
from payments.people.bank_accounts import BankChangeStatus
from payments.reconciliation.recon_records import ExceptionStatus

CAP = 100


@dataclass(frozen=True, slots=True)
class QueueCount:
    label: str  # a msgid
    count: int
    more: bool  # True: there are more than ``count`` (the cap was reached)
    href: str | None = None  # the page that lists them, once it exists


@dataclass(frozen=True, slots=True)
class _Card:
    label: str
    actions: tuple[Action, ...]  # shown when the viewer may do any of these
    count: Callable[[Any, Viewer, int], int]  # (app.state, viewer, cap) -> how many, no more than cap
    href: str | None = None


def _invoices(status: str) -> Callable[[Any, Viewer, int], int]:
    # The list page's own filter, counted up to the cap from the index: only how many there are shows.
    return lambda state, _viewer, cap: Worklist(state.uow).count(InvoiceFilter(status=status), cap=cap)


def _runs(status: RunStatus) -> Callable[[Any, Viewer, int], int]:
    return lambda state, _viewer, cap: len(state.payments.list_runs(status=status, limit=cap))


def _bank_changes(status: BankChangeStatus) -> Callable[[Any, Viewer, int], int]:
    return lambda state, viewer, cap: len(state.bank_accounts.list_changes(viewer.principal, status=status,
                                                                           limit=cap))


def _awaiting_me(state: Any, viewer: Viewer, cap: int) -> int:
    where = InvoiceFilter(awaiting_approval_by=viewer.principal.user_id)
    return Worklist(state.uow).count(where, cap=cap)


def _open_exceptions(state: Any, _viewer: Viewer, cap: int) -> int:
    return len(state.recon.queries.list_exceptions(status=ExceptionStatus.OPEN, limit=cap))


STAFF_CARDS: tuple[_Card, ...] = (
    _Card(N_("Invoices entered, not yet matched"), (Action.INVOICE_CREATE,), _invoices("entered"),
          "/invoices?status=entered"),
    _Card(N_("Invoices on hold"), (Action.INVOICE_CREATE, Action.INVOICE_RELEASE_HOLD), _invoices("held"),
          "/invoices?status=held"),
    _Card(N_("Invoices ready for approval"), (Action.INVOICE_APPROVE,), _invoices("matched"),
          "/invoices?status=matched"),
    _Card(N_("Invoices awaiting my approval"), (Action.INVOICE_APPROVE,), _awaiting_me, "/invoices?mine=1"),
    _Card(N_("Payment runs awaiting release"), (Action.PAYMENT_RUN_RELEASE,), _runs(RunStatus.DRAFT),
          "/payment-runs?status=draft"),
    _Card(N_("Released payment runs not yet sent"), (Action.PAYMENT_RUN_SUBMIT,), _runs(RunStatus.RELEASED),
          "/payment-runs?status=released"),
    _Card(N_("Reconciliation exceptions open"), (Action.RECONCILIATION_RESOLVE,), _open_exceptions,
          "/reconciliation/exceptions?status=open"),
    _Card(N_("Bank-account changes awaiting a call-back"), (Action.BANK_ACCOUNT_CALLBACK,),
          _bank_changes(BankChangeStatus.REQUESTED), "/bank-changes?status=requested"),
    _Card(N_("Bank-account changes awaiting approval"), (Action.BANK_ACCOUNT_APPROVE,),
          _bank_changes(BankChangeStatus.CALLBACK_RECORDED), "/bank-changes?status=callback_recorded"),
)

# A vendor's own invoices, in the portal's words (payments.portal.portal_timeline.vendor_status).
_VENDOR_WAITING = frozenset({"received", "matched", "approved", "scheduled", "sent"})


def staff_queue(state: Any, viewer: Viewer) -> list[QueueCount]:
    out = []
    for card in STAFF_CARDS:
        if any(viewer.may(a) for a in card.actions):
            n = card.count(state, viewer, CAP + 1)
            out.append(QueueCount(card.label, min(n, CAP), n > CAP, card.href))
    return out


def vendor_queue(state: Any, viewer: Viewer) -> list[QueueCount]:
    """From the portal service, scoped to the viewer's own vendor as every portal read is."""
    rows = state.portal.list_invoices(viewer.principal, after=None, limit=CAP + 1)
    more = len(rows) > CAP
    statuses = [r.status for r in rows[:CAP]]
    return [QueueCount(N_("Your invoices on hold"), statuses.count("held"), more, "/portal/invoices"),
            QueueCount(N_("Your invoices waiting to be paid"), sum(s in _VENDOR_WAITING for s in statuses), more,
                       "/portal/invoices"),
            QueueCount(N_("Your invoices paid"), statuses.count("paid"), more, "/portal/payments")]


def queue_for(state: Any, viewer: Viewer) -> list[QueueCount]:
    return vendor_queue(state, viewer) if viewer.is_vendor else staff_queue(state, viewer)
