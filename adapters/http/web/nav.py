"""The main menu: each page a person may use, in one list. A page builder adds a line here for a new page.

An item shows when the viewer's roles grant its ``action`` (the same table the server enforces on the page
itself); ``action=None`` means every signed-in person. Labels are msgids, translated where they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from adapters.http.web.i18n import N_
from payments.identity import Action

if TYPE_CHECKING:
    from adapters.http.web.viewer import Viewer


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    href: str
    action: Action | None = None


NAV: list[NavItem] = [
    NavItem(N_("Home"), "/"),
    NavItem(N_("Invoices"), "/invoices", Action.INVOICE_READ),
    NavItem(N_("Enter an invoice"), "/invoices/new", Action.INVOICE_CREATE),
    NavItem(N_("Search"), "/search", Action.INVOICE_READ),
    NavItem(N_("Enter a purchase order"), "/purchase-orders/new", Action.PO_CREATE),
    NavItem(N_("Payment runs"), "/payment-runs", Action.PAYMENT_RUN_READ),
    NavItem(N_("Reconciliation"), "/reconciliation", Action.RECONCILIATION_READ),
    NavItem(N_("Bank changes"), "/bank-changes", Action.VENDOR_READ),
    NavItem(N_("Ledger"), "/ledger", Action.LEDGER_READ),
    NavItem(N_("Reports"), "/reports", Action.LEDGER_READ),
    NavItem(N_("My invoices"), "/portal/invoices", Action.PORTAL_READ),
    NavItem(N_("Send an invoice"), "/portal/invoices/new", Action.PORTAL_SUBMIT_INVOICE),
    NavItem(N_("My payments"), "/portal/payments", Action.PORTAL_READ),
    NavItem(N_("My credits"), "/portal/credits", Action.PORTAL_READ),
    NavItem(N_("Bank account"), "/portal/bank-account", Action.PORTAL_REQUEST_BANK_CHANGE),
]


@dataclass(frozen=True, slots=True)
class NavLink:
    label: str
    href: str
    current: bool


def nav_for(viewer: Viewer | None, path: str) -> list[NavLink]:
    if viewer is None:
        return []

    def is_current(href: str) -> bool:
        return path == href if href == "/" else path == href or path.startswith(href.rstrip("/") + "/")

    shown = [item for item in NAV if item.action is None or viewer.may(item.action)]
    # The deepest match is the current page ("/invoices/new" is not also "/invoices").
    current = max((item.href for item in shown if is_current(item.href)), key=len, default=None)
    return [NavLink(item.label, item.href, item.href == current) for item in shown]
