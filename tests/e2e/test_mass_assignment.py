"""Mass assignment: a body that tries to set ``status``, ``approved_by``, ``vendor_id``, ``bank_verified`` or any
field the route does not take is refused with 422 — and nothing it asked for happens."""

from __future__ import annotations

import pytest

from payments.identity import Role
from tests.e2e.people import ON_FILE, ROUTING, People, client_for, set_contact, sqlite_stack  # noqa: F401

SMUGGLED = {"status": "active", "approved_by": "usr_me", "vendor_id": "ven_01OTHER", "bank_verified": True,
            "is_admin": True}
ACME = "ven_01MASSASSIGN000000000000000"


@pytest.fixture
def world(sqlite_stack):  # noqa: ANN001, ANN201
    stack = sqlite_stack
    people = People(stack)
    set_contact(stack, ACME)
    h = {"admin": people.headers("root", Role.ADMIN), "val": people.headers("val", Role.VENDOR_ADMIN),
         "vic": people.headers("vic", Role.VENDOR_ADMIN), "tom": people.headers("tom", Role.TREASURER),
         "acme": people.vendor("acme", ACME)}
    user_id = people.add("tess", Role.TREASURER, email="tess@riverton.example")
    change = stack.bank_accounts.request_change(people.principal("val"), ACME, routing_number=ROUTING,
                                                account_number="000123456789", account_type="checking")
    with client_for(stack) as client:
        yield stack, client, h, {"user_id": user_id, "change_id": change.change.change_id,
                                 "admin_id": people.ids["root"]}


CHANGE = {"routing_number": ROUTING, "account_number": "000999988887777", "account_type": "checking"}
# (who, method, path template, a valid body): every route of this feature that takes a body.
CASES = [
    ("admin", "POST", "/v1/users", {"username": "newbie", "roles": ["ap_clerk"]}),
    ("admin", "POST", "/v1/vendors/ven_01X/users", {"username": "acme-two"}),
    ("admin", "PUT", "/v1/users/{user_id}/roles", {"roles": ["auditor"]}),
    ("admin", "POST", "/v1/users/{user_id}/password-reset", {}),
    ("admin", "POST", "/v1/users/{admin_id}/tokens", {"name": "ci"}),
    ("admin", "POST", "/v1/users/{user_id}/disable", {}),
    ("val", "POST", f"/v1/vendors/{ACME}/bank-account-changes", CHANGE),
    ("acme", "POST", "/v1/portal/bank-account-changes", CHANGE),
    ("vic", "POST", "/v1/bank-account-changes/{change_id}/callback",
     {"number_called": ON_FILE, "outcome": "confirmed"}),
    ("tom", "POST", "/v1/bank-account-changes/{change_id}/approve", {}),
    ("vic", "POST", "/v1/bank-account-changes/{change_id}/reject", {"reason": "duplicate request"}),
    ("val", "POST", "/v1/bank-accounts/{account_id}/reveal", {"reason": "checking"}),
    # Last: a contact change, once requested, holds up the call-back above until it is decided.
    ("val", "PUT", f"/v1/vendors/{ACME}/contact", {"phone": ON_FILE}),
]


def _snapshot(stack) -> tuple:  # noqa: ANN001
    with stack.uow(read_only=True) as uow:
        changes = [(r.change.change_id, r.change.status, r.change.approved_by)
                   for r in uow.bank_accounts.list_changes(limit=1000)]
        users = [(u.user_id, sorted(u.roles), u.status, u.vendor_id) for u in uow.users.list(limit=1000)]
        return changes, users, uow.audit_index.count()


@pytest.mark.parametrize("field", sorted(SMUGGLED))
def test_a_smuggled_field_is_refused_on_every_route_and_changes_nothing(world, field):
    stack, client, headers, ids = world
    with stack.uow(read_only=True) as uow:
        ids["account_id"] = uow.bank_accounts.accounts_for_vendor(ACME)[0].account_id
    before = _snapshot(stack)
    for who, method, path, body in CASES:
        r = client.request(method, path.format(**ids), headers=headers[who], json={**body, field: SMUGGLED[field]})
        assert (r.status_code, r.json()["code"]) == (422, "invalid_request"), f"{method} {path}: {r.text}"
        assert field in r.json()["detail"]
    assert _snapshot(stack) == before


def test_the_same_bodies_without_the_smuggled_field_are_accepted(world):
    """The cases above are refused for the extra field alone, not because their bodies were wrong anyway."""
    stack, client, headers, ids = world
    with stack.uow(read_only=True) as uow:
        ids["account_id"] = uow.bank_accounts.accounts_for_vendor(ACME)[0].account_id
    for who, method, path, body in CASES:
        r = client.request(method, path.format(**ids), headers=headers[who], json=body)
        assert r.status_code in (200, 201, 202), f"{method} {path}: {r.text}"  # 202: a contact change, requested
