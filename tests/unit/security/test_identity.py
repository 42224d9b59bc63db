"""The one authorization table: complete, least-privilege, and closed to outsiders."""

from __future__ import annotations

import pytest

from payments.identity import (
    PERMISSIONS,
    Action,
    ActionKind,
    ActionNotAllowed,
    InvalidPrincipal,
    OtherVendorForbidden,
    Principal,
    Role,
    authorize,
    authorize_for_vendor,
    is_allowed,
    roles_allowed,
    staff_reads,
)


def test_every_action_is_granted_to_at_least_one_role():
    orphans = [action for action in Action if not roles_allowed(action)]
    assert orphans == []


def test_every_role_has_a_row_in_the_table():
    assert set(PERMISSIONS) == set(Role)


def test_vendor_role_has_only_its_own_portal_actions():
    assert PERMISSIONS[Role.VENDOR] == {a for a in Action if a.is_portal}


def test_no_staff_role_holds_a_portal_action():
    for role, actions in PERMISSIONS.items():
        if role is not Role.VENDOR:
            assert not any(a.is_portal for a in actions), role


def test_auditor_writes_nothing_and_reveals_nothing():
    assert {a.kind for a in PERMISSIONS[Role.AUDITOR]} == {ActionKind.READ}


def test_auditor_reads_everything_staff_can_read():
    assert staff_reads() <= PERMISSIONS[Role.AUDITOR]


def test_the_clerk_enters_the_approver_approves_the_treasurer_releases():
    assert is_allowed(Role.AP_CLERK, Action.INVOICE_CREATE)
    assert not is_allowed(Role.AP_CLERK, Action.INVOICE_APPROVE)
    assert is_allowed(Role.AP_APPROVER, Action.INVOICE_APPROVE)
    assert not is_allowed(Role.AP_APPROVER, Action.PAYMENT_RUN_RELEASE)
    assert is_allowed(Role.TREASURER, Action.PAYMENT_RUN_RELEASE)
    assert not is_allowed(Role.TREASURER, Action.INVOICE_APPROVE)


def test_only_the_approver_releases_holds():
    assert roles_allowed(Action.INVOICE_RELEASE_HOLD) == {Role.AP_APPROVER}


def test_admin_moves_no_money():
    money_moves = {Action.INVOICE_APPROVE, Action.PAYMENT_RUN_RELEASE, Action.PAYMENT_RUN_SUBMIT,
                   Action.BANK_ACCOUNT_APPROVE, Action.LEDGER_POST}
    assert not money_moves & PERMISSIONS[Role.ADMIN]


def test_unknown_role_or_action_is_never_allowed():
    assert not is_allowed("superuser", Action.LEDGER_READ)
    assert not is_allowed(Role.ADMIN, "ledger.delete")
    assert is_allowed("auditor", "audit.read")


def test_an_unclassified_kind_fails_closed_as_a_write():
    assert Action.INVOICE_APPROVE.kind is ActionKind.WRITE
    assert Action.BANK_ACCOUNT_REVEAL.kind is ActionKind.REVEAL


def test_authorize_refuses_with_a_stable_code():
    clerk = Principal.staff("usr_ann", Role.AP_CLERK)
    authorize(clerk, Action.INVOICE_CREATE)
    with pytest.raises(ActionNotAllowed) as refused:
        authorize(clerk, Action.INVOICE_APPROVE)
    assert refused.value.code == "action_not_allowed"


def test_a_user_with_two_staff_roles_has_the_union():
    both = Principal.staff("usr_bob", Role.AP_CLERK, Role.VENDOR_ADMIN)
    assert both.can(Action.INVOICE_CREATE) and both.can(Action.VENDOR_UPDATE)
    assert both.actions == PERMISSIONS[Role.AP_CLERK] | PERMISSIONS[Role.VENDOR_ADMIN]


def test_a_vendor_user_sees_only_its_own_vendor():
    acme = Principal.vendor_user("usr_acme1", "ven_acme")
    authorize_for_vendor(acme, Action.PORTAL_READ, "ven_acme")
    with pytest.raises(OtherVendorForbidden) as refused:
        authorize_for_vendor(acme, Action.PORTAL_READ, "ven_globex")
    assert refused.value.code == "other_vendor_forbidden"
    with pytest.raises(ActionNotAllowed):
        authorize_for_vendor(acme, Action.INVOICE_READ, "ven_acme")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"user_id": "usr_x", "roles": frozenset()},
        {"user_id": "", "roles": frozenset({Role.AUDITOR})},
        {"user_id": "usr_x", "roles": frozenset({Role.VENDOR})},
        {"user_id": "usr_x", "roles": frozenset({Role.VENDOR, Role.AP_APPROVER}), "vendor_id": "ven_a"},
        {"user_id": "usr_x", "roles": frozenset({Role.AP_CLERK}), "vendor_id": "ven_a"},
    ],
    ids=["no_role", "no_user", "vendor_unbound", "vendor_plus_staff", "staff_bound_to_vendor"],
)
def test_contradictory_principals_are_refused(kwargs):
    with pytest.raises(InvalidPrincipal) as refused:
        Principal(**kwargs)
    assert refused.value.code == "invalid_principal"


def test_roles_given_as_strings_are_normalized():
    p = Principal(user_id="usr_x", roles=frozenset({"auditor"}))
    assert p.roles == {Role.AUDITOR}
