"""People working the exceptions queue: match by hand with a reason, dismiss what moved no money, and write off
an unexplained bank line, which needs a second person's approval.

Each use case is one unit of work and one commit; the exception row is guarded by its version, so two people
acting on one exception at once cannot both succeed. Every decision names who made it and why, and, when an
audit trail is wired, is also written to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from ledger.journal import Journal
from payments.audit import AuditTrail
from payments.errors import Conflict, ReasonRequired, StaleState
from payments.ports import Clock, KeyVault, UowFactory
from payments.dates import DatePolicy
from payments.journal_signers import JournalSigners
from payments.controls import SelfApprovalForbidden
from payments.identity import Action, Principal, authorize
from payments.disbursements.treasury_accounts import TreasuryAccounts
from payments.reconciliation.recon_errors import (CreditCannotSettlePayment, ExceptionNotOpen, LineNeedsMatchOrWriteOff,
                                                  LineNotOpen, LineRequired, MatchAmountsDiffer, PaymentAlreadySettled,
                                                  PaymentsRequired, UnknownPayments, WriteOffNeedsLine,
                                                  WriteOffNotRequested)
from payments.reconciliation.recon_postings import manual_settlement_draft, write_off_draft
from payments.reconciliation.recon_ports import ReconUnitOfWork
from payments.reconciliation.recon_queries import ExceptionNotFound
from payments.reconciliation.recon_records import ExceptionStatus, MatchMethod
from payments.reconciliation.recon_rows import ExceptionRecord, LineState, MatchRecord


def _reason(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise ReasonRequired("a reason is required")
    return text[:1000]


class ReconExceptions:
    def __init__(self, uow_factory: UowFactory[ReconUnitOfWork], vault: KeyVault, clock: Clock, *,
                 default_fund: str = "100", audit: AuditTrail | None = None, dates: DatePolicy | None = None,
                 treasury: TreasuryAccounts | None = None) -> None:
        # The Cash a line's own bank account posts to: a person's match or write-off lands where the money is.
        self.treasury = treasury or TreasuryAccounts()
        self._uow = uow_factory
        self._vault = vault
        self._clock = clock
        self.default_fund = default_fund
        self._audit = audit
        self._signers = JournalSigners(vault, clock, dates)

    def _journal(self, uow: ReconUnitOfWork) -> Journal:
        return self._signers.journal(uow.ledger)

    def _open(self, uow: ReconUnitOfWork, exception_id: str) -> ExceptionRecord:
        exc = uow.recon.get_exception(exception_id, for_update=True)
        if exc is None:
            raise ExceptionNotFound(exception_id)
        if exc.status is not ExceptionStatus.OPEN:
            raise ExceptionNotOpen(exc)
        return exc

    def _record(self, uow: ReconUnitOfWork, actor: Principal, action: str, before: ExceptionRecord, after: ExceptionRecord,
                **detail: Any) -> None:
        if self._audit is not None:
            self._audit.record(uow, actor, action, before.id, before.snapshot(), after.snapshot(),
                               object_type="recon_exception", detail=detail)

    # -- match by hand --------------------------------------------------------------------------------------
    def resolve_by_match(self, actor: Principal, exception_id: str, *, reason: str,
                         payment_ids: Sequence[str] = (), line_id: str | None = None) -> ExceptionRecord:
        """Tie a statement line to our payments by hand: the payments settle as if the bank had named them."""
        authorize(actor, Action.RECONCILIATION_RESOLVE)
        why = _reason(reason)
        now = self._clock.now()
        with self._uow() as uow:
            exc = self._open(uow, exception_id)
            lid = exc.line_id or line_id
            if not lid:
                raise LineRequired("name the statement line (line_id) that settles this payment")
            line = uow.recon.get_line(lid)
            if line is None or line.state not in LineState.OPEN:
                raise LineNotOpen(f"statement line {lid} is not open", line_id=lid)
            if line.direction != "debit":
                raise CreditCannotSettlePayment("a credit is explained by a recorded return (import the returns file) or written "
                                                "off, never by settling a payment")
            ids = tuple(dict.fromkeys(payment_ids or exc.payment_ids))
            if not ids:
                raise PaymentsRequired("name the payments this line settles")
            found = uow.recon_payments.by_keys(set(ids))
            missing = [pid for pid in ids if pid not in found]
            if missing:
                raise UnknownPayments(f"no such payment(s): {', '.join(missing)}")
            payments = [found[pid] for pid in ids]
            done = [p.payment_id for p in payments if p.settled or p.status not in ("sent", "settled", "returned")]
            if done:
                raise PaymentAlreadySettled(f"already settled or not sent: {', '.join(done)}")
            total = sum(p.amount_minor for p in payments)
            if total != line.amount_minor or any(p.currency != line.currency for p in payments):
                raise MatchAmountsDiffer(f"the payments total {total} but the line is {line.amount_minor} {line.currency}", line_minor=line.amount_minor, payments_minor=total)
            posted = [p for p in payments if p.status == "sent"]
            draft = manual_settlement_draft(posted, line.booking_date, line_id=lid, exception_id=exc.id,
                                            by=actor.user_id, reason=why,
                                            cash=self.treasury.for_statement(line.account_id).cash)
            if posted and uow.recon_payments.settle([p.payment_id for p in posted], now) != len(posted):
                raise StaleState("payment", ", ".join(p.payment_id for p in posted), "sent")
            uow.recon.add_matches([MatchRecord(lid, p.payment_id, "settlement", MatchMethod.MANUAL.value, 100,
                                               p.amount_minor, p.currency, line.booking_date, p.status == "sent",
                                               now, actor.user_id, draft.id if draft and p.status == "sent" else None,
                                               why) for p in payments])
            uow.recon.set_line_states({lid: LineState.MATCHED})
            if draft is not None:
                self._journal(uow).post(draft)
            after = uow.recon.update_exception(exc, exc.closed(ExceptionStatus.RESOLVED, by=actor.user_id, at=now,
                                                               resolution="manual_match", reason=why,
                                                               entry_id=draft.id if draft else None))
            related = [*uow.recon.open_exceptions_for_lines([lid]),
                       *uow.recon.open_exceptions_by_keys(f"unsettled:{p.payment_id}" for p in payments)]
            for other in related:
                if other.id != exc.id:
                    uow.recon.update_exception(other, other.closed(ExceptionStatus.RESOLVED, by=actor.user_id, at=now,
                                                                   resolution="manual_match",
                                                                   reason=f"{why} (with {exc.id})"))
            self._record(uow, actor, "recon_exception_matched", exc, after, line_id=lid, payment_ids=list(ids))
            uow.commit()
        return after

    def dismiss(self, actor: Principal, exception_id: str, *, reason: str) -> ExceptionRecord:
        """Close an exception that left no money unexplained (a notice, a payment confirmed another way)."""
        authorize(actor, Action.RECONCILIATION_RESOLVE)
        why = _reason(reason)
        now = self._clock.now()
        with self._uow() as uow:
            exc = self._open(uow, exception_id)
            if exc.line_id is not None:
                raise LineNeedsMatchOrWriteOff("money moved at the bank on this line: match it or write it off")
            after = uow.recon.update_exception(exc, exc.closed(ExceptionStatus.RESOLVED, by=actor.user_id, at=now,
                                                               resolution="explained", reason=why))
            self._record(uow, actor, "recon_exception_dismissed", exc, after)
            uow.commit()
        return after

    # -- write off, four eyes -------------------------------------------------------------------------------
    def request_write_off(self, actor: Principal, exception_id: str, *, reason: str,
                          account: str | None = None) -> ExceptionRecord:
        """The first person asks; nothing is posted until someone else approves."""
        authorize(actor, Action.RECONCILIATION_WRITE_OFF)
        why = _reason(reason)
        now = self._clock.now()
        with self._uow() as uow:
            exc = self._open(uow, exception_id)
            if exc.line_id is None:
                raise WriteOffNeedsLine("only a statement line's amount can be written off")
            after = uow.recon.update_exception(exc, replace(
                exc, write_off_requested_by=actor.user_id, write_off_requested_at=now, write_off_reason=why,
                write_off_account=account, approved_by=None))
            self._record(uow, actor, "recon_write_off_requested", exc, after, reason=why, account=account)
            uow.commit()
        return after

    def approve_write_off(self, actor: Principal, exception_id: str) -> ExceptionRecord:
        """A second person approves: the ``write_off`` entry brings the books to the bank for this line."""
        authorize(actor, Action.RECONCILIATION_WRITE_OFF)
        now = self._clock.now()
        with self._uow() as uow:
            exc = self._open(uow, exception_id)
            if exc.write_off_requested_by is None:
                raise WriteOffNotRequested(f"no write-off was requested for {exc.id}")
            if actor.user_id == exc.write_off_requested_by:
                raise SelfApprovalForbidden(actor.user_id, f"the write-off of {exc.id}")
            line = uow.recon.get_line(exc.line_id) if exc.line_id is not None else None
            if line is None or line.state not in LineState.OPEN:
                raise LineNotOpen(f"statement line {exc.line_id} is not open")
            draft = write_off_draft(exception_id=exc.id, line_id=line.line_id, signed_amount_minor=line.signed_amount_minor,
                                    currency=line.currency, on=line.booking_date, fund=self.default_fund,
                                    account=exc.write_off_account, requested_by=exc.write_off_requested_by,
                                    approved_by=actor.user_id, reason=exc.write_off_reason or "",
                                    cash_account=self.treasury.for_statement(line.account_id).cash)
            self._journal(uow).post(draft)
            uow.recon.set_line_states({line.line_id: LineState.WRITTEN_OFF})
            after = uow.recon.update_exception(exc, exc.closed(
                ExceptionStatus.WRITTEN_OFF, by=actor.user_id, at=now, resolution="written_off",
                reason=exc.write_off_reason or "", entry_id=draft.id, approved_by=actor.user_id))
            self._record(uow, actor, "recon_write_off_approved", exc, after, entry_id=draft.id,
                         amount_minor=line.signed_amount_minor)
            uow.commit()
        return after
