"""Broken object-level authorization, tried on every vendor-scoped route: 0 cross-vendor successes.

The matrix is generated from the route table. Every route tagged ``portal`` (``adapters.http.portal.portal``) and every
route with ``{vendor_id}`` in its path is tried as {its own vendor, another vendor, no credentials, staff}.
A later portal route (invoices, payments, remittances) joins by itself; if its path names an object, add a
fixture to ``OBJECTS`` below that creates one such object for a vendor, and if it takes a body, add one to
``BODIES``. The test fails, naming the route, until you do.
"""

from __future__ import annotations

from collections.abc import Callable

import datetime as dt
from decimal import Decimal

from payments.ap.documents import AccountCoding, VendorStatus
from payments.identity import Principal, Role
from payments.ap.invoice_service import NewInvoice, NewInvoiceLine
from payments.disbursements.payment_records import PaymentItemRecord, PaymentRecord, PaymentRunRecord
from payments.disbursements.payment_states import PaymentKind, PaymentStatus, RunStatus
from payments.ap.po_lines import NewPOLine
from payments.ap.po_service import NewPurchaseOrder
from payments.disbursements.rails import RailSec
from payments.ap.vendor_service import VendorDetails
from tests.e2e.people import ROUTING, People, client_for, set_contact, stack  # noqa: F401
from tests.e2e.routes import api_routes

# Real vendor rows (invoices and payments refer to them); valid ULIDs, so they could be anyone's ids.
VENDOR_A, VENDOR_B = "ven_01HBQ1AAAAAAAAAAAAAAAAAAAA", "ven_01HBQ1BBBBBBBBBBBBBBBBBBBB"
NUMBERS = {VENDOR_A: "000111122223333", VENDOR_B: "000444455556666"}
CLERK = Principal.staff("usr_bola_clerk", Role.AP_CLERK)


def _vendor(stack, vendor_id: str) -> None:  # noqa: ANN001
    import main

    admin = Principal.staff("usr_bola_admin", Role.VENDOR_ADMIN)
    vendors = main.ap_services(stack).vendors
    vendors.create(admin, VendorDetails(f"BOLA vendor {vendor_id[-1]}", terms="net 30"), id=vendor_id)
    vendors.set_status(admin, vendor_id, VendorStatus.ACTIVE)


def _bank_change(stack, vendor_id: str) -> str:  # noqa: ANN001
    set_contact(stack, vendor_id)
    record = stack.bank_accounts.request_change(
        Principal.vendor_user(f"usr_fixture_{vendor_id[-4:]}", vendor_id), vendor_id, routing_number=ROUTING,
        account_number=NUMBERS[vendor_id], account_type="checking")
    return record.change.change_id


def _invoice(stack, vendor_id: str) -> str:  # noqa: ANN001
    import main

    ap = main.ap_services(stack)
    line = NewPOLine(1, "chair", Decimal(10), "each", Decimal(12_000), AccountCoding("100", "PW", "5710"))
    po, _ = ap.purchase_orders.create(CLERK, NewPurchaseOrder(f"PO-BOLA-{vendor_id[-1]}", vendor_id, "USD", (line,)))
    record, _ = ap.invoices.create(CLERK, NewInvoice(
        vendor_id, f"INV-{vendor_id[-1]}", dt.date(2026, 10, 5), "USD",
        (NewInvoiceLine(1, po.po.id, 1, Decimal(10), Decimal(12_000)),), dt.date(2026, 10, 6), "net 30", 120_000,
        "remit to the address on file", "Pat Lee, 555-0100"))
    return record.invoice.id


def _payment(stack, vendor_id: str) -> str:  # noqa: ANN001
    """A payment to the vendor's account for its invoice, stored as a run would store it."""
    from payments.disbursements.payment_rules import new_payment_id, new_run_id

    invoice_id = _invoice_of(stack, vendor_id)
    with stack.uow() as uow:
        account_id = uow.bank_accounts.accounts_for_vendor(vendor_id)[0].account_id
        now, day = stack.clock.now(), dt.date(2026, 11, 5)
        run = PaymentRunRecord(new_run_id(), day, day, RunStatus.DRAFT, "USD", "sandbox", now, "usr_bola", 120_000, 1)
        payment = PaymentRecord(new_payment_id(), run.id, vendor_id, account_id, "BOLA", "USD", 120_000,
                                PaymentKind.LIVE, RailSec.CCD, PaymentStatus.SCHEDULED, day, now,
                                items=(PaymentItemRecord(invoice_id, f"INV-{vendor_id[-1]}", 120_000),))
        uow.payments.add_run(run, [payment])
        uow.commit()
    return payment.id


def _invoice_of(stack, vendor_id: str) -> str:  # noqa: ANN001
    with stack.uow(read_only=True) as uow:
        return uow.invoices.list(after=None, limit=1, vendor_id=vendor_id)[0].invoice.id


# Path parameter -> make one object of that kind belonging to a vendor; return its id. (In this order: a payment
# pays the vendor's invoice into the account its bank-account change opened.)
OBJECTS: dict[str, Callable] = {
    "change_id": _bank_change,
    "invoice_id": _invoice,
    "payment_id": _payment,
}

# (method, path) -> a valid body for a portal route that takes one.
BODIES: dict[tuple[str, str], Callable[[str], dict]] = {
    ("POST", "/v1/portal/bank-account-changes"): lambda vendor_id: {
        "routing_number": ROUTING, "account_number": "000777788889999", "account_type": "savings"},
    ("POST", "/v1/portal/invoices"): lambda vendor_id: {
        "invoice_number": f"P-{vendor_id[-1]}", "invoice_date": "2026-10-20", "total": "240.00",
        "remit_to": "the address on file", "defect_contact": "Pat Lee",
        "lines": [{"line_no": 1, "po_number": f"PO-BOLA-{vendor_id[-1]}", "po_line_no": 1, "quantity": "2",
                   "unit_price": "120.00"}]},
}


def _app(stack):  # noqa: ANN001, ANN202
    import main

    return main.create_app(stack)


def test_no_vendor_reaches_another_vendors_objects_on_any_vendor_scoped_route(stack):
    """On SQLite and PostgreSQL; every route with every role is ``tests/e2e/test_access_matrix.py``."""
    people = People(stack)
    token = {VENDOR_A: people.vendor("bola-a", VENDOR_A), VENDOR_B: people.vendor("bola-b", VENDOR_B)}
    staff = people.headers("bola-staff", Role.VENDOR_ADMIN, Role.AUDITOR, Role.AP_APPROVER, Role.TREASURER)
    from payments.example.example_agency import example_accounts

    stack.ledger.add_accounts(example_accounts())  # the chart a purchase order's coding names
    for vendor_id in (VENDOR_A, VENDOR_B):
        _vendor(stack, vendor_id)
    routes = api_routes(_app(stack))
    portal = [r for r in routes if "portal" in r.tags]
    vendor_paths = [r for r in routes if "vendor_id" in r.params and "portal" not in r.tags]
    assert len(portal) >= 9 and len(vendor_paths) >= 4

    missing = [f"{r}: no fixture for {{{p}}} in OBJECTS" for r in portal for p in r.params if p not in OBJECTS]
    missing += [f"{r}: no body in BODIES" for r in portal if r.writes and (r.method, r.path) not in BODIES]
    assert missing == []

    # Vendor A's objects, and every string that would betray one in another vendor's response.
    objects = {p: make(stack, VENDOR_A) for p, make in OBJECTS.items()}
    make_b = {p: make(stack, VENDOR_B) for p, make in OBJECTS.items()}
    with stack.uow(read_only=True) as uow:
        a_accounts = [a.account_id for a in uow.bank_accounts.accounts_for_vendor(VENDOR_A)]
    a_markers = [VENDOR_A, *objects.values(), *a_accounts, NUMBERS[VENDOR_A][-4:]]

    cross_vendor_successes, wrong = [], []
    with client_for(stack) as client:
        def call(route, headers, owner_objects, vendor):  # noqa: ANN001, ANN202
            body = BODIES[(route.method, route.path)](vendor) if route.writes else None
            return client.request(route.method, route.url(**owner_objects), headers=headers, json=body)

        for route in portal:
            own = call(route, token[VENDOR_A], objects, VENDOR_A)
            if not 200 <= own.status_code < 300:
                wrong.append(f"{route} own vendor: {own.status_code} {own.text[:100]}")
            other = call(route, token[VENDOR_B], objects, VENDOR_B)
            if route.params:
                missing_object = call(route, token[VENDOR_B], {}, VENDOR_B)
                if 200 <= other.status_code < 300:
                    cross_vendor_successes.append(f"{route}: {other.status_code}")
                # Another vendor's object and a missing one are told apart by nothing.
                if (other.status_code, other.json().get("code")) != (404, missing_object.json().get("code")):
                    wrong.append(f"{route} other vendor: {other.status_code} {other.text[:100]}")
            # An id B itself put in the URL may be echoed back ("... does not exist"); anything else of A's may not.
            leaked = [m for m in a_markers if m in other.text and m not in route.url(**objects)]
            if leaked:
                cross_vendor_successes.append(f"{route}: B's response names A's {leaked}")
            if call(route, {}, objects, VENDOR_A).status_code != 401:
                wrong.append(f"{route} without credentials")
            as_staff = call(route, staff, objects, VENDOR_A)
            if (as_staff.status_code, as_staff.json().get("code")) != (403, "action_not_allowed"):
                wrong.append(f"{route} as staff: {as_staff.status_code}")

        # Staff routes naming a vendor in the path: a vendor token gets nothing there, its own vendor or not.
        for route in vendor_paths:
            for vendor in (VENDOR_A, VENDOR_B):
                r = client.request(route.method, route.url(vendor_id=VENDOR_A, **objects),
                                   headers=token[vendor], json={} if route.writes else None)
                if 200 <= r.status_code < 300:
                    cross_vendor_successes.append(f"{route} as {vendor}: {r.status_code}")
                elif (r.status_code, r.json().get("code")) != (403, "action_not_allowed"):
                    wrong.append(f"{route} as vendor {vendor}: {r.status_code} {r.text[:100]}")
    assert cross_vendor_successes == []
    assert wrong == []
    assert make_b  # B's objects exist too, so "nothing to leak" is not why B saw nothing
