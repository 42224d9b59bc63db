"""A bank-account change, walked the honest way and then every shortcut, each refused by name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.people.bank_accounts import (
    BANK_ACCOUNT_UNVERIFIED,
    DepositAccountType,
    BankAccountChange,
    BankChangePolicy,
    BankChangeStatus,
    CallbackOutcome,
    is_valid_routing_number,
    mask_account_number,
    normalize_account_number,
    payment_hold,
    payment_hold_for,
    request_change,
    validate_routing_number,
)
from payments.controls import SeparationOfDutiesViolation
from payments.errors import DomainError
from payments.identity import Principal, Role
from payments.notices import Channel, OutboxStatus
from payments.people.bank_change_notice import bank_details_changed_notice

MON = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
ON_FILE = "+1 (555) 010-4477"

val = Principal.staff("usr_val", Role.VENDOR_ADMIN)
cat = Principal.staff("usr_cat", Role.AP_APPROVER)  # makes call-backs
tess = Principal.staff("usr_tess", Role.TREASURER)  # approves
vic = Principal.staff("usr_vic", Role.VENDOR_ADMIN)  # may both call back and approve, but not both on one change
acme = Principal.vendor_user("usr_acme", "ven_acme")
auditor = Principal.staff("usr_aud", Role.AUDITOR)


def requested(by: Principal = val) -> BankAccountChange:
    return request_change(by, change_id="bac_1", vendor_id="ven_acme", routing_number="021000021",
                          account_number="0001-2345-6789", account_type=DepositAccountType.CHECKING,
                          phone_on_file=ON_FILE, now=MON)


def called_back(by: Principal = cat) -> BankAccountChange:
    return requested().record_callback(by, number_called="555-010-4477", outcome=CallbackOutcome.CONFIRMED,
                                       now=MON + timedelta(hours=2))


def approved() -> BankAccountChange:
    return called_back().approve(tess, now=MON + timedelta(days=1))


def refused(code: str, call) -> DomainError:
    with pytest.raises(DomainError) as excinfo:
        call()
    assert excinfo.value.code == code, excinfo.value
    return excinfo.value


# --- the honest path ---------------------------------------------------------------------------------------


def test_a_change_walks_from_request_to_active_and_records_who_did_what():
    change = requested()
    assert change.status is BankChangeStatus.REQUESTED
    assert change.account_mask == "****6789"
    assert "123456789" not in repr(change)  # the full number is never on the record

    change = called_back()
    assert change.status is BankChangeStatus.CALLBACK_RECORDED
    assert (change.callback.called_by, change.callback.number_called, change.callback.outcome) == (
        "usr_cat", "555-010-4477", CallbackOutcome.CONFIRMED)

    change = change.approve(tess, now=MON + timedelta(days=1))
    assert change.status is BankChangeStatus.COOLING_OFF
    assert change.cooling_off_until == MON + timedelta(days=11)

    change = change.send_prenote(now=MON + timedelta(days=11))
    assert change.status is BankChangeStatus.PRENOTE_PENDING
    change = change.activate(now=MON + timedelta(days=14))
    assert change.status is BankChangeStatus.ACTIVE
    assert payment_hold(change) is None


def test_the_vendor_may_ask_through_its_own_portal():
    assert requested(by=acme).requested_by == "usr_acme"


def test_the_cooling_off_period_is_policy():
    change = called_back().approve(tess, now=MON, policy=BankChangePolicy(cooling_off_days=30))
    assert change.cooling_off_until == MON + timedelta(days=30)


def test_the_restraint_names_requester_and_approver_until_the_end_of_cooling_off():
    restraint = approved().restraint(now=MON + timedelta(days=2))
    assert restraint.changed_by == {"usr_val", "usr_tess"}
    assert restraint.cooling_off_until == MON + timedelta(days=11)


def test_the_restraint_starts_at_the_request():
    # Open: the requester is restrained for at least a full cooling-off from now, however long it stays open.
    restraint = requested().restraint(now=MON + timedelta(days=30))
    assert (restraint.changed_by, restraint.cooling_off_until) == ({"usr_val"}, MON + timedelta(days=40))
    # Rejected before approval: a cooling-off counted from the request.
    rejected = requested().reject(tess, reason="the vendor did not ask", now=MON + timedelta(days=1))
    assert rejected.restraint(now=MON + timedelta(days=2)).cooling_off_until == rejected.requested_at + timedelta(
        days=10)


def test_the_previous_contact_is_told_without_the_account_number():
    notice = bank_details_changed_notice(approved(), message_id="msg_1", recipient="ap@acme.example",
                                         channel=Channel.EMAIL, now=MON + timedelta(days=1))
    assert notice.facts["account_mask"] == "****6789"
    assert notice.facts["cooling_off_until"] == (MON + timedelta(days=11)).isoformat()
    assert "123456789" not in repr(notice)
    assert notice.status is OutboxStatus.PENDING


# --- every shortcut, refused by a stable code --------------------------------------------------------------


def test_the_requester_cannot_call_back():
    error = refused("callback_by_requester", lambda: called_back(by=val))
    assert isinstance(error, SeparationOfDutiesViolation)


def test_the_call_back_must_go_to_the_number_already_on_file():
    refused("callback_number_not_on_file", lambda: requested().record_callback(
        cat, number_called="555-999-0000", outcome=CallbackOutcome.CONFIRMED, now=MON))


@pytest.mark.parametrize("outcome", [CallbackOutcome.DENIED, CallbackOutcome.UNREACHABLE])
def test_a_failed_call_back_rejects_the_request(outcome):
    change = requested().record_callback(cat, number_called=ON_FILE, outcome=outcome, now=MON)
    assert change.status is BankChangeStatus.REJECTED
    assert change.callback.outcome is outcome
    refused("bank_change_wrong_state", lambda: change.approve(tess, now=MON))


def test_approval_before_call_back_is_refused():
    refused("callback_required", lambda: requested().approve(tess, now=MON))


def test_the_requester_cannot_approve_their_own_change():
    requester_can_approve = Principal.staff("usr_val", Role.VENDOR_ADMIN)
    refused("self_approval_forbidden", lambda: called_back().approve(requester_can_approve, now=MON))


def test_the_caller_back_cannot_also_approve():
    change = called_back(by=vic)
    refused("approver_made_callback", lambda: change.approve(vic, now=MON))


def test_a_vendor_cannot_call_back_or_approve():
    refused("action_not_allowed", lambda: requested().record_callback(
        acme, number_called=ON_FILE, outcome=CallbackOutcome.CONFIRMED, now=MON))
    refused("action_not_allowed", lambda: called_back().approve(acme, now=MON))


def test_a_vendor_cannot_ask_for_another_vendors_account():
    globex = Principal.vendor_user("usr_globex", "ven_globex")
    refused("other_vendor_forbidden", lambda: requested(by=globex))


def test_an_auditor_cannot_request_a_change():
    refused("action_not_allowed", lambda: requested(by=auditor))


def test_the_prenote_waits_for_the_cooling_off_period():
    refused("bank_change_cooling_off", lambda: approved().send_prenote(now=MON + timedelta(days=10)))


def test_activation_waits_for_the_prenote_return_window():
    pending = approved().send_prenote(now=MON + timedelta(days=11))
    refused("prenote_pending", lambda: pending.activate(now=MON + timedelta(days=12)))


def test_a_returned_prenote_rejects_the_change():
    pending = approved().send_prenote(now=MON + timedelta(days=11))
    returned = pending.prenote_returned(return_code="r03", now=MON + timedelta(days=12))
    assert (returned.status, returned.close_reason) == (BankChangeStatus.REJECTED, "prenote_returned_R03")


@pytest.mark.parametrize("stage", ["requested", "called_back", "cooling_off", "prenote_pending"])
def test_no_payment_goes_to_an_account_that_is_not_active(stage):
    change = {
        "requested": requested,
        "called_back": called_back,
        "cooling_off": approved,
        "prenote_pending": lambda: approved().send_prenote(now=MON + timedelta(days=11)),
    }[stage]()
    assert payment_hold(change) == BANK_ACCOUNT_UNVERIFIED


def test_no_account_at_all_or_another_vendors_account_is_unverified():
    assert payment_hold(None) == BANK_ACCOUNT_UNVERIFIED
    active = approved().send_prenote(now=MON + timedelta(days=11)).activate(now=MON + timedelta(days=14))
    assert payment_hold_for("ven_globex", active) == BANK_ACCOUNT_UNVERIFIED


def test_a_blocked_account_takes_no_payment_and_stays_blocked():
    active = approved().send_prenote(now=MON + timedelta(days=11)).activate(now=MON + timedelta(days=14))
    blocked = active.block(tess, reason="vendor says it never asked", now=MON + timedelta(days=15))
    assert blocked.status is BankChangeStatus.BLOCKED
    assert payment_hold(blocked) == BANK_ACCOUNT_UNVERIFIED
    refused("bank_change_wrong_state", lambda: blocked.block(tess, reason="again", now=MON))
    refused("bank_change_wrong_state", lambda: blocked.reject(tess, reason="again", now=MON))


def test_the_previous_contact_objects_during_cooling_off():
    rejected = approved().reject(vic, reason="previous contact objected", now=MON + timedelta(days=3))
    assert (rejected.status, rejected.closed_by) == (BankChangeStatus.REJECTED, "usr_vic")
    refused("bank_change_wrong_state", lambda: rejected.send_prenote(now=MON + timedelta(days=20)))


def test_rejecting_needs_a_reason():
    refused("reason_required", lambda: requested().reject(tess, reason="  ", now=MON))


def test_steps_out_of_order_are_refused():
    refused("bank_change_wrong_state", lambda: called_back().record_callback(
        vic, number_called=ON_FILE, outcome=CallbackOutcome.CONFIRMED, now=MON))
    refused("bank_change_wrong_state", lambda: approved().approve(vic, now=MON))
    refused("bank_change_wrong_state", lambda: called_back().send_prenote(now=MON + timedelta(days=30)))
    refused("bank_change_wrong_state", lambda: approved().activate(now=MON + timedelta(days=30)))


def test_a_vendor_with_no_phone_on_file_cannot_be_verified():
    refused("no_phone_on_file", lambda: request_change(
        val, change_id="bac_2", vendor_id="ven_acme", routing_number="021000021", account_number="123456789",
        account_type=DepositAccountType.SAVINGS, phone_on_file="", now=MON))


# --- routing numbers and masking ---------------------------------------------------------------------------


@pytest.mark.parametrize("routing", ["021000021", "011000015", "121000358", "111000025", "322271627"])
def test_real_routing_numbers_pass(routing):
    assert validate_routing_number(routing) == routing


@pytest.mark.parametrize("routing", ["021000022", "02100002", "0210000211", "02100002a", "000000000",
                                     "991000013", "٠٢١٠٠٠٠٢١"])
def test_typos_and_inventions_fail(routing):
    refused("routing_number_invalid", lambda: validate_routing_number(routing))


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_exactly_one_check_digit_completes_any_eight_digits(prefix):
    completions = [d for d in "0123456789" if is_valid_routing_number(prefix + d)]
    assert len(completions) == (1 if int(prefix[:2]) in {*range(13), *range(21, 33), *range(61, 73), 80}
                                and prefix != "00000000" else 0)


@pytest.mark.parametrize("number, mask", [("123456789", "****6789"), ("0001-2345-6789", "****6789"),
                                          ("1234", "****"), ("12345678901234567", "****4567")])
def test_masking_shows_the_last_four_only(number, mask):
    assert mask_account_number(number) == mask


@pytest.mark.parametrize("number", ["123", "123456789012345678", "12a45", "１２３４５"])
def test_account_numbers_are_four_to_seventeen_digits(number):
    refused("account_number_invalid", lambda: normalize_account_number(number))
