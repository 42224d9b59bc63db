"""Separation of duties, told as small stories: who may approve, who may release."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from payments.controls import (
    AlreadyFullyApproved,
    ApprovalPolicy,
    ApprovalRequired,
    ApproverCannotRelease,
    BankChangeCoolingOff,
    BankChangeRestraint,
    HoldReleaseForbidden,
    HoldReleaseReasonRequired,
    InvoiceForApproval,
    RunItem,
    SameApproverTwice,
    SecondApproverRequired,
    SelfApprovalForbidden,
    approve_invoice,
    check_can_release_hold,
    check_can_release_run,
    is_fully_approved,
    require_fully_approved,
)
from payments.errors import InvalidInput
from payments.identity import ActionNotAllowed, Principal, Role

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
POLICY = ApprovalPolicy({"USD": 2_500_000})  # above $25,000.00 two approvers

ann = Principal.staff("usr_ann", Role.AP_CLERK)
carol = Principal.staff("usr_carol", Role.AP_APPROVER)
dave = Principal.staff("usr_dave", Role.AP_APPROVER)
tess = Principal.staff("usr_tess", Role.TREASURER)
# Small offices: one person entering and approving, but never the same invoice.
clerk_approver = Principal.staff("usr_cam", Role.AP_CLERK, Role.AP_APPROVER)
vendor_admin_approver = Principal.staff("usr_val", Role.VENDOR_ADMIN, Role.AP_APPROVER)


def invoice(amount_minor: int = 120_000, **changes) -> InvoiceForApproval:
    fields = dict(invoice_id="inv_1", vendor_id="ven_acme", amount_minor=amount_minor, currency="USD",
                  entered_by="usr_ann")
    fields.update(changes)
    return InvoiceForApproval(**fields)


def test_a_small_invoice_needs_one_approver():
    approved = approve_invoice(carol, invoice(), policy=POLICY, now=NOW)
    assert [a.approver_id for a in approved.approvals] == ["usr_carol"]
    assert is_fully_approved(approved, POLICY)
    require_fully_approved(approved, POLICY)


def test_the_threshold_itself_needs_one_approver_and_a_cent_more_needs_two():
    assert POLICY.approvals_required(2_500_000, "USD") == 1
    assert POLICY.approvals_required(2_500_001, "USD") == 2


def test_an_unpriced_currency_fails_closed_to_two_approvers():
    assert POLICY.approvals_required(1, "EUR") == 2


def test_the_clerk_who_entered_an_invoice_cannot_approve_it():
    with pytest.raises(SelfApprovalForbidden) as refused:
        approve_invoice(clerk_approver, invoice(entered_by="usr_cam"), policy=POLICY, now=NOW)
    assert refused.value.code == "self_approval_forbidden"


def test_the_person_who_last_changed_an_invoice_cannot_approve_it():
    with pytest.raises(SelfApprovalForbidden):
        approve_invoice(carol, invoice(last_changed_by="usr_carol"), policy=POLICY, now=NOW)


def test_a_clerk_without_the_approver_role_is_refused_by_the_table():
    with pytest.raises(ActionNotAllowed):
        approve_invoice(ann, invoice(entered_by="usr_zed"), policy=POLICY, now=NOW)


def test_a_large_invoice_with_one_approval_is_not_payable():
    once = approve_invoice(carol, invoice(amount_minor=3_000_000), policy=POLICY, now=NOW)
    assert not is_fully_approved(once, POLICY)
    with pytest.raises(SecondApproverRequired) as refused:
        require_fully_approved(once, POLICY)
    assert refused.value.code == "second_approver_required"


def test_a_large_invoice_cannot_be_approved_twice_by_the_same_person():
    once = approve_invoice(carol, invoice(amount_minor=3_000_000), policy=POLICY, now=NOW)
    with pytest.raises(SameApproverTwice) as refused:
        approve_invoice(carol, once, policy=POLICY, now=NOW)
    assert refused.value.code == "same_approver_twice"


def test_a_large_invoice_with_two_distinct_approvers_records_both():
    once = approve_invoice(carol, invoice(amount_minor=3_000_000), policy=POLICY, now=NOW)
    twice = approve_invoice(dave, once, policy=POLICY, now=NOW + timedelta(hours=1))
    require_fully_approved(twice, POLICY)
    assert [(a.approver_id, a.approved_at) for a in twice.approvals] == [
        ("usr_carol", NOW), ("usr_dave", NOW + timedelta(hours=1))]


def test_a_third_approval_is_a_conflict():
    once = approve_invoice(carol, invoice(), policy=POLICY, now=NOW)
    with pytest.raises(AlreadyFullyApproved):
        approve_invoice(dave, once, policy=POLICY, now=NOW)


def test_an_unapproved_invoice_is_not_payable():
    with pytest.raises(ApprovalRequired):
        require_fully_approved(invoice(), POLICY)


def test_the_approver_of_an_invoice_cannot_release_the_run_that_pays_it():
    approver_treasurer = Principal.staff("usr_carol", Role.AP_APPROVER, Role.TREASURER)
    items = [RunItem("inv_1", "ven_acme", frozenset({"usr_carol"})),
             RunItem("inv_2", "ven_acme", frozenset({"usr_dave"}))]
    with pytest.raises(ApproverCannotRelease) as refused:
        check_can_release_run(approver_treasurer, items, now=NOW)
    assert refused.value.code == "approver_cannot_release"
    assert refused.value.details["invoice_ids"] == ["inv_1"]
    check_can_release_run(tess, items, now=NOW)


def test_an_approver_without_the_treasurer_role_cannot_release_at_all():
    with pytest.raises(ActionNotAllowed):
        check_can_release_run(dave, [RunItem("inv_1", "ven_acme", frozenset({"usr_carol"}))], now=NOW)


def test_a_vendor_admin_who_changed_the_bank_account_cannot_approve_its_payments_while_cooling_off():
    restraint = BankChangeRestraint("ven_acme", frozenset({"usr_val"}), NOW + timedelta(days=10))
    with pytest.raises(BankChangeCoolingOff) as refused:
        approve_invoice(vendor_admin_approver, invoice(), policy=POLICY, restraints=[restraint], now=NOW)
    assert refused.value.code == "bank_change_cooling_off"
    # Another vendor's invoice is fine, and so is this one once the period is over.
    approve_invoice(vendor_admin_approver, invoice(vendor_id="ven_globex"), policy=POLICY,
                    restraints=[restraint], now=NOW)
    approve_invoice(vendor_admin_approver, invoice(), policy=POLICY, restraints=[restraint],
                    now=NOW + timedelta(days=10))


def test_a_treasurer_who_changed_the_bank_account_cannot_release_its_payments_while_cooling_off():
    restraint = BankChangeRestraint("ven_acme", frozenset({"usr_tess"}), NOW + timedelta(days=10))
    with pytest.raises(BankChangeCoolingOff):
        check_can_release_run(tess, [RunItem("inv_1", "ven_acme", frozenset({"usr_carol"}))],
                              restraints=[restraint], now=NOW)


def test_only_an_approver_with_a_reason_releases_a_hold():
    assert check_can_release_hold(carol, reason="  price agreed by phone with buyer  ") == \
        "price agreed by phone with buyer"
    with pytest.raises(HoldReleaseReasonRequired) as no_reason:
        check_can_release_hold(carol, reason="   ")
    assert no_reason.value.code == "hold_release_reason_required"
    with pytest.raises(HoldReleaseForbidden) as not_approver:
        check_can_release_hold(tess, reason="urgent")
    assert not_approver.value.code == "hold_release_requires_approver"


def test_a_negative_threshold_is_refused():
    with pytest.raises(InvalidInput) as refused:
        ApprovalPolicy({"USD": -1})
    assert refused.value.code == "invalid_policy"
