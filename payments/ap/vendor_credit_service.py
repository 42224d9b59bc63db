"""Vendor credits for people: what staff and the vendor see of them, and the write-off of a credit's receivable part
with a second person's approval (``vendor_credits`` says how a credit is otherwise cleared).

A write-off posts ``vendor_credit_written_off``: Dr Expenditures (the fund's), Cr Vendor credits receivable. It is
asked for with a reason and approved by someone else; both steps are audit events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ledger.entries import EntryDraft, Posting, new_entry_id
from ledger.accounts import Direction
from payments.ap.ap_deps import APDeps
from payments.ap.ap_errors import NoWriteOffRequested
from payments.ap.ap_ports import APUnitOfWork
from payments.ap.vendor_credits import VendorCredit, WriteOffStatus, vendor_credits_receivable
from payments.controls import SelfApprovalForbidden
from payments.errors import Conflict, NotFound, ReasonRequired, StaleState
from payments.identity import Action, Principal, authorize, authorize_for_vendor

WRITTEN_OFF = "vendor_credit_written_off"


class VendorCreditNotFound(NotFound):
    code = "vendor_credit_not_found"

    def __init__(self, credit_memo_id: str, fund: str) -> None:
        super().__init__(f"credit memo {credit_memo_id} has no credit in fund {fund}", credit_memo_id=credit_memo_id,
                         fund=fund)


class NothingToWriteOff(Conflict):
    code = "nothing_to_write_off"

    def __init__(self, credit: VendorCredit) -> None:
        super().__init__(f"credit memo {credit.memo_number} has nothing open in vendor credits receivable (fund "
                         f"{credit.fund}): only a credit larger than what we owed is written off; the rest comes off "
                         "the vendor's next payment", credit_memo_id=credit.credit_memo_id, fund=credit.fund)


class WriteOffPending(Conflict):
    code = "write_off_pending"

    def __init__(self, credit: VendorCredit) -> None:
        super().__init__(f"a write-off of credit memo {credit.memo_number} (fund {credit.fund}) is already "
                         f"{credit.write_off_status.value if credit.write_off_status else 'asked for'}",
                         credit_memo_id=credit.credit_memo_id, fund=credit.fund)


def credit_view(c: VendorCredit) -> dict[str, Any]:
    """What staff and the vendor are shown of a credit: amounts, what is open, and where it sits."""
    return {"credit_memo_id": c.credit_memo_id, "memo_number": c.memo_number, "memo_date": c.memo_date.isoformat(),
            "fund": c.fund, "currency": c.currency, "amount_minor": c.amount_minor,
            "deducted_minor": c.applied_minor + c.offset_receivable_minor, "open_minor": c.open_minor,
            "open_against_payable_minor": c.payable_open_minor, "receivable_minor": c.receivable_minor,
            "receivable_open_minor": c.receivable_open_minor, "cleared_minor": c.cleared_minor,
            "receivable_account": vendor_credits_receivable(c.fund),
            "write_off": c.write_off_status.value if c.write_off_status else None}


class VendorCreditService:
    def __init__(self, deps: APDeps) -> None:
        self._d = deps

    def for_vendor(self, principal: Principal, vendor_id: str, *, open_only: bool = False) -> list[VendorCredit]:
        """Staff (``invoice.read``) or the vendor itself (``portal.read``)."""
        if principal.is_vendor:
            authorize_for_vendor(principal, Action.PORTAL_READ, vendor_id)
        else:
            authorize(principal, Action.INVOICE_READ)
        with self._d.uow(read_only=True) as uow:
            return uow.vendor_credits.for_vendors([vendor_id], open_only=open_only)

    def request_write_off(self, principal: Principal, credit_memo_id: str, fund: str, *, reason: str) -> VendorCredit:
        authorize(principal, Action.RECONCILIATION_WRITE_OFF)
        text = _reason(reason)
        with self._d.uow() as uow:
            credit = self._load(uow, credit_memo_id, fund)
            if credit.receivable_open_minor <= 0:
                raise NothingToWriteOff(credit)
            if not uow.vendor_credits.request_write_off(credit_memo_id, fund, by=principal.user_id, reason=text,
                                                        at=self._d.now()):
                raise WriteOffPending(credit)
            self._d.record(uow, principal, "vendor_credit_write_off_requested", credit_memo_id,
                           detail={"fund": fund, "amount_minor": credit.receivable_open_minor, "reason": text})
            uow.commit()
        return self.get(credit_memo_id, fund)

    def approve_write_off(self, principal: Principal, credit_memo_id: str, fund: str) -> VendorCredit:
        """A second person approves: the receivable part still open is written off to the fund's Expenditures."""
        authorize(principal, Action.RECONCILIATION_WRITE_OFF)
        with self._d.uow() as uow:
            credit = self._load(uow, credit_memo_id, fund, for_update=True)
            if credit.write_off_status is not WriteOffStatus.REQUESTED:
                raise NoWriteOffRequested(f"no write-off of credit memo {credit.memo_number} waits for approval")
            if principal.user_id == credit.write_off_requested_by:
                raise SelfApprovalForbidden(principal.user_id, f"write-off of credit memo {credit.memo_number}")
            amount = credit.receivable_open_minor
            if amount <= 0:
                raise NothingToWriteOff(credit)
            entry = write_off_entry(credit, amount, self._d.today())
            self._d.post(uow, [entry])
            if not uow.vendor_credits.approve_write_off(credit_memo_id, fund, by=principal.user_id,
                                                        amount_minor=amount, entry_id=entry.id, at=self._d.now()):
                raise StaleState("credit memo", credit.memo_number, "as read")
            self._d.record(uow, principal, "vendor_credit_written_off", credit_memo_id,
                           detail={"fund": fund, "amount_minor": amount, "entry_id": entry.id,
                                   "requested_by": credit.write_off_requested_by})
            uow.commit()
        return self.get(credit_memo_id, fund)

    def get(self, credit_memo_id: str, fund: str) -> VendorCredit:
        with self._d.uow(read_only=True) as uow:
            return self._load(uow, credit_memo_id, fund)

    @staticmethod
    def _load(uow: APUnitOfWork, credit_memo_id: str, fund: str, *, for_update: bool = False) -> VendorCredit:
        found: VendorCredit | None = uow.vendor_credits.get(credit_memo_id, fund, for_update=for_update)
        if found is None:
            raise VendorCreditNotFound(credit_memo_id, fund)
        return found


def write_off_entry(credit: VendorCredit, amount_minor: int, on: dt.date) -> EntryDraft:
    refs: Mapping[str, str] = {"credit_memo": credit.credit_memo_id, "vendor": credit.vendor_id}
    return EntryDraft(new_entry_id(), on, WRITTEN_OFF,
                      (Posting(f"{credit.fund}-5000", Direction.DEBIT, amount_minor, credit.currency),
                       Posting(vendor_credits_receivable(credit.fund), Direction.CREDIT, amount_minor, credit.currency)),
                      memo=f"credit memo {credit.memo_number} written off", references=dict(refs))


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ReasonRequired("a write-off needs a reason someone can read later", field="reason")
    return text[:500]


__all__ = ["VendorCreditService", "credit_view", "write_off_entry"]
