"""A vendor's refund of a credit, matched on the bank statement: the last way a credit in Vendor credits receivable
clears (``payments.ap.vendor_credits`` names the others: offset against a later payment, or a write-off).

A vendor who owes us a credit larger than anything we still owe it may send the money back. The deposit arrives
on a bank statement as a credit line that names none of our payments, so the import leaves it in the exceptions
queue (``unmatched_line``). A person who recognises it resolves that exception as the refund of one or more of the
vendor's credits, fund by fund: for each credit and fund, ``vendor_credit_refunded`` posts Dr Cash (the Cash of
the bank account the line's statement is for, in that fund: the fund's share of a pooled account) and Cr Vendor
credits receivable (``<fund>-1310``), on the line's booking date. The credits named must add up to the line to the
cent, each no more than is still open in its receivable part; the credit's counter is guarded, so a credit is
never cleared twice (nor by a refund and a write-off together). The line is matched, the exception resolved, and
the decision (who, why, which credits) is an audit event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ledger.accounts import Direction
from ledger.entries import EntryDraft, Posting, new_entry_id
from payments.ap.vendor_credits import VendorCredit, vendor_credits_receivable
from payments.audit import AuditTrail
from payments.dates import DatePolicy
from payments.disbursements.treasury_accounts import TreasuryAccounts
from payments.errors import Conflict, ReasonRequired, StaleState
from payments.identity import Action, Principal, authorize
from payments.journal_signers import JournalSigners
from payments.ports import Clock, KeyVault, UowFactory
from payments.reconciliation.recon_errors import (CreditNamedTwice, CreditsOfSeveralVendors, CreditsRequired,
                                                  CurrencyMismatch, ExceptionNotOpen, LineNotOpen, MatchAmountsDiffer,
                                                  RefundNeedsBankCredit, VendorCreditNotFound)
from payments.reconciliation.recon_ports import ReconUnitOfWork
from payments.reconciliation.recon_queries import ExceptionNotFound
from payments.reconciliation.recon_records import ExceptionStatus
from payments.reconciliation.recon_rows import LineState

REFUNDED = "vendor_credit_refunded"


@dataclass(frozen=True, slots=True)
class RefundedCredit:
    """One credit (a credit memo's credit in one fund) a refund clears; ``amount_minor`` None: all that is open."""

    credit_memo_id: str
    fund: str
    amount_minor: int | None = None


class RefundNotReceivable(Conflict):
    code = "refund_exceeds_receivable"

    def __init__(self, credit: VendorCredit, amount_minor: int) -> None:
        super().__init__(f"credit memo {credit.memo_number} (fund {credit.fund}) has {credit.receivable_open_minor} "
                         f"open in vendor credits receivable, not {amount_minor}: only a credit larger than what we "
                         "owed is refunded; the rest comes off the vendor's next payment",
                         credit_memo_id=credit.credit_memo_id, fund=credit.fund,
                         receivable_open_minor=credit.receivable_open_minor)


class VendorRefunds:
    def __init__(self, uow_factory: UowFactory[ReconUnitOfWork], vault: KeyVault, clock: Clock, *,
                 audit: AuditTrail | None = None, dates: DatePolicy | None = None,
                 treasury: TreasuryAccounts | None = None) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._audit = audit
        self._signers = JournalSigners(vault, clock, dates)
        self.treasury = treasury or TreasuryAccounts()

    def resolve_as_refund(self, actor: Principal, exception_id: str, *, credits: Sequence[RefundedCredit],
                          reason: str) -> tuple[str, list[VendorCredit]]:
        """Resolve an open exception on a bank credit line as the vendor's refund of ``credits``; the entry id and
        the credits as they stand after."""
        authorize(actor, Action.RECONCILIATION_RESOLVE)
        why = (reason or "").strip()[:1000]
        if not why:
            raise ReasonRequired("a reason is required")
        if not credits:
            raise CreditsRequired("name the credits this deposit refunds")
        now = self._clock.now()
        with self._uow() as uow:
            exc = uow.recon.get_exception(exception_id, for_update=True)
            if exc is None:
                raise ExceptionNotFound(exception_id)
            if exc.status is not ExceptionStatus.OPEN:
                raise ExceptionNotOpen(exc)
            line = uow.recon.get_line(exc.line_id) if exc.line_id else None
            if line is None or line.state not in LineState.OPEN:
                raise LineNotOpen(f"exception {exc.id} has no open statement line")
            if line.direction != "credit":
                raise RefundNeedsBankCredit("a refund is money the vendor sends us: a credit on the statement, not a "
                                            "debit")
            taken = self._credits(uow, credits, line.currency)
            total = sum(amount for _, amount in taken)
            if total != line.amount_minor:
                raise MatchAmountsDiffer(f"the credits named total {total} but the line is {line.amount_minor} "
                                         f"{line.currency}", line_minor=line.amount_minor, credits_minor=total)
            cash = self.treasury.for_statement(line.account_id).cash
            legs: list[Posting] = []
            for credit, amount in taken:
                legs.append(Posting(f"{credit.fund}-{cash}", Direction.DEBIT, amount, credit.currency))
                legs.append(Posting(vendor_credits_receivable(credit.fund), Direction.CREDIT, amount, credit.currency))
            entry = EntryDraft(new_entry_id(), line.booking_date, REFUNDED, tuple(legs), memo=why[:200],
                               references={"statement_line": line.line_id, "recon_exception": exc.id,
                                           "vendor": taken[0][0].vendor_id},
                               data={"credits": [{"credit_memo_id": c.credit_memo_id, "fund": c.fund,
                                                  "memo_number": c.memo_number, "amount_minor": a}
                                                 for c, a in taken], "matched_by": actor.user_id})
            for credit, amount in taken:
                if not uow.vendor_credits.clear_by_refund(credit.credit_memo_id, credit.fund, amount):
                    raise StaleState("credit memo", credit.memo_number, "as read")
            self._signers.journal(uow.ledger).post(entry)
            uow.recon.set_line_states({line.line_id: LineState.MATCHED})
            after = uow.recon.update_exception(exc, exc.closed(ExceptionStatus.RESOLVED, by=actor.user_id, at=now,
                                                               resolution="vendor_refund", reason=why,
                                                               entry_id=entry.id))
            if self._audit is not None:
                self._audit.record(uow, actor, REFUNDED, exc.id, exc.snapshot(), after.snapshot(),
                                   object_type="recon_exception",
                                   detail={"line_id": line.line_id, "entry_id": entry.id, "reason": why,
                                           "credits": entry.data["credits"]})
            found = [uow.vendor_credits.get(c.credit_memo_id, c.fund) for c, _ in taken]
            uow.commit()
        return entry.id, [c for c in found if c is not None]

    @staticmethod
    def _credits(uow: ReconUnitOfWork, named: Sequence[RefundedCredit], currency: str
                 ) -> list[tuple[VendorCredit, int]]:
        out: list[tuple[VendorCredit, int]] = []
        seen: set[tuple[str, str]] = set()
        for want in named:
            key = (want.credit_memo_id, want.fund)
            if key in seen:
                raise CreditNamedTwice(f"credit memo {want.credit_memo_id} fund {want.fund} is named twice")
            seen.add(key)
            credit = uow.vendor_credits.get(want.credit_memo_id, want.fund, for_update=True)
            if credit is None:
                raise VendorCreditNotFound(f"credit memo {want.credit_memo_id} has no credit in fund {want.fund}",
                                           credit_memo_id=want.credit_memo_id, fund=want.fund)
            amount = credit.receivable_open_minor if want.amount_minor is None else want.amount_minor
            if amount <= 0 or amount > credit.receivable_open_minor:
                raise RefundNotReceivable(credit, amount)
            if credit.currency != currency:
                raise CurrencyMismatch(f"credit memo {credit.memo_number} is in {credit.currency}, the line in "
                                       f"{currency}")
            if out and credit.vendor_id != out[0][0].vendor_id:
                raise CreditsOfSeveralVendors("one deposit refunds one vendor's credits")
            out.append((credit, amount))
        return out


__all__ = ["REFUNDED", "RefundNotReceivable", "RefundedCredit", "VendorRefunds"]
