"""What the statement import asks of the bank-account quarantine (through ``payments.reconciliation.recon_bank_link``): a return that says "no such account" blocks the
account (again and again, harmlessly, when retried), and a notification of change becomes a change *request* that
people must still call back and approve — a bank file never rewrites where money goes by itself."""

from __future__ import annotations

from dataclasses import dataclass

from payments.people.bank_account_records import AccountStatus
from payments.identity import Role
from payments.reconciliation.recon_bank_link import BankAccountLink
from tests.e2e.people import ON_FILE, ROUTING, people, set_contact, stack  # noqa: F401

ACME = "ven_01RECONACME0000000000000"


@dataclass
class Corrected:  # the shape of payments.reconciliation.bank_notices.CorrectedBankData that the link reads
    routing_number: str | None = None
    account_number: str | None = None
    account_type: str | None = None

    @property
    def changes_bank_account(self) -> bool:
        return bool(self.routing_number or self.account_number or self.account_type)


def active_account(stack, people) -> str:  # noqa: ANN001
    set_contact(stack, ACME)
    svc = stack.bank_accounts
    val, vic, tess = (people.principal(n) for n in ("val", "vic", "tess"))
    change_id = svc.request_change(val, ACME, routing_number=ROUTING, account_number="000123456789",
                                   account_type="checking").change.change_id
    svc.record_callback(vic, change_id, number_called=ON_FILE, outcome="confirmed")
    svc.approve(tess, change_id)
    stack.clock.advance(days=10)
    svc.prenote_sent("system", change_id)
    stack.clock.advance(days=3)
    [record] = svc.activate_cleared()
    return record.bank_account_id


def cast(people):  # noqa: ANN001, ANN201
    for name, role in (("val", Role.VENDOR_ADMIN), ("vic", Role.VENDOR_ADMIN), ("tess", Role.TREASURER)):
        people.add(name, role)
    return people


def test_a_return_blocks_the_account_once_and_a_retry_is_harmless(stack, people):
    account_id = active_account(stack, cast(people))
    link = BankAccountLink(stack.bank_accounts, stack.uow)
    said = link.block_for_return(vendor_id=ACME, account_id=account_id, reason_code="R03",
                                                reason="No account/unable to locate account")
    assert "****6789" in said and "blocked after return R03" in said
    again = link.block_for_return(vendor_id=ACME, account_id=account_id, reason_code="R03",
                                                 reason="No account/unable to locate account")
    assert "already blocked" in again
    with stack.uow(read_only=True) as uow:
        assert uow.bank_accounts.get_account(account_id).status is AccountStatus.BLOCKED
        assert stack.bank_accounts.payment_holds(uow, ACME) == ["bank_account_unverified"]


def test_a_notification_of_change_is_only_a_request_that_people_must_verify(stack, people):
    account_id = active_account(stack, cast(people))
    change_id = BankAccountLink(stack.bank_accounts, stack.uow).propose_from_notice(
        vendor_id=ACME, account_id=account_id, corrected=Corrected(account_number="000123456780"),
        change_code="C01", original_trace="091000019000001")
    with stack.uow(read_only=True) as uow:
        record = uow.bank_accounts.get_change(change_id)
        assert uow.bank_accounts.get_account(account_id).status is AccountStatus.ACTIVE  # still paid as before
    assert (record.change.status.value, record.change.account_mask, record.change.routing_number) == (
        "requested", "****6780", ROUTING)
    [event] = stack.audit.search(object_id=change_id)
    assert event.actor == "system:reconciliation"
    # Anyone on staff may call back: the requester was the import, not a person.
    stack.bank_accounts.record_callback(people.principal("vic"), change_id, number_called=ON_FILE,
                                        outcome="confirmed")

