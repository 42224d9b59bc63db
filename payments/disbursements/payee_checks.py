"""The account check a payment passes again when its run is claimed for submission. Pure.

A run is planned against the accounts as they stood then; between planning and submission an account can be
blocked (a fraud report, an R03 return on another payment), superseded, or raise a hold staff and the vendor see.
The claim asks the same bank-account source the planner asked and withdraws any payment whose account may no
longer be paid, so the file the rail gets never carries it.
"""

from __future__ import annotations

from payments.disbursements.payment_records import PaymentRecord
from payments.disbursements.payment_runs import PayeeAccount
from payments.disbursements.payment_states import PayeeAccountStatus, PaymentKind
from payments.people.bank_accounts import BANK_ACCOUNT_UNVERIFIED


def payee_refusals(payment: PaymentRecord, account: PayeeAccount | None) -> list[str]:
    """Why ``payment`` may not go to ``account`` now (empty when it may), each naming the account and the hold.

    A prenote tests an account still being verified, so only a blocked account stops it; a live payment needs an
    active account of its own vendor with no hold on it.
    """
    where = payment.account_id
    if account is None or account.vendor_id != payment.vendor_id:
        return [f"{where}: {BANK_ACCOUNT_UNVERIFIED} (the account is not the vendor's)"]
    if account.status is PayeeAccountStatus.BLOCKED:
        return [f"{where}: bank_account_blocked"]
    if payment.kind is PaymentKind.PRENOTE:
        return []
    if account.status is not PayeeAccountStatus.ACTIVE:
        return [f"{where}: {BANK_ACCOUNT_UNVERIFIED} (account {account.status.value})"]
    return [f"{where}: {hold}" for hold in account.holds]
