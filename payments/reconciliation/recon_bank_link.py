"""Reconciliation's side of the bank-account quarantine (``payments.reconciliation.recon_ports.VendorBankAccounts``), over the
bank-account service: an account-level return blocks the account the payment went to, and a notification of
change opens an ordinary change request, which then needs its call-back, a second person's approval, the
cooling-off and a prenote like any other. Nothing is ever applied silently.

Reconciliation acts as its own staff identity, so the audit trail says which changes came from the bank and
the people who call back and approve are, by the separation-of-duties rules, always someone else.
"""

from __future__ import annotations

from typing import Any

from payments.people.bank_account_records import BankAccount
from payments.people.bank_account_service import BankAccountNotFound, BankAccountService
from payments.people.identity_ports import IdentityUnitOfWork
from payments.ports import UowFactory
from payments.reconciliation.bank_notices import CorrectedBankData
from payments.identity import Principal, Role
from payments.reconciliation.recon_errors import NocNotABankChange

RECONCILIATION = Principal.staff("system:reconciliation", Role.VENDOR_ADMIN)


class BankAccountLink:
    def __init__(self, service: BankAccountService, uow_factory: UowFactory[IdentityUnitOfWork]) -> None:
        self._service = service
        self._uow = uow_factory

    def _account(self, account_id: str) -> BankAccount:
        with self._uow(read_only=True) as uow:
            account = uow.bank_accounts.get_account(account_id)
        if account is None:
            raise BankAccountNotFound(account_id)
        return account

    def block_for_return(self, *, vendor_id: str, account_id: str, reason_code: str, reason: str) -> str:
        account = self._account(account_id)
        if str(getattr(account.status, "value", account.status)) == "blocked":
            return f"account {account.mask} of {vendor_id} was already blocked"
        self._service.block(RECONCILIATION, account.change_id,
                            reason=f"ACH return {reason_code} ({reason}): the vendor must give corrected details")
        return f"account {account.mask} of {vendor_id} blocked after return {reason_code}"

    def propose_from_notice(self, *, vendor_id: str, account_id: str, corrected: CorrectedBankData,
                            change_code: str, original_trace: str) -> str:
        account = self._account(account_id)
        if not corrected.changes_bank_account:
            raise NocNotABankChange(f"{change_code} corrects only the name or id; update the vendor record by hand")
        number = corrected.account_number
        if number is None:
            _, number = self._service.reveal(RECONCILIATION, account_id,
                                             reason=f"notification of change {change_code} for trace "
                                                    f"{original_trace} keeps the account number")
        account_type = corrected.account_type or str(getattr(account.account_type, "value", account.account_type))
        record = self._service.request_change(RECONCILIATION, vendor_id,
                                              routing_number=corrected.routing_number or account.routing_number,
                                              account_number=number, account_type=account_type)
        return record.change.change_id
