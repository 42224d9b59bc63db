"""Reading reconciliation: the report for a day and the exceptions queue. Read-only units of work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from payments.business_days import BusinessCalendar
from payments.dates import DatePolicy
from payments.ports import Clock, UowFactory
from payments.errors import NotFound
from payments.reconciliation.recon_ports import ReconUnitOfWork
from payments.reconciliation.recon_records import ExceptionKind, ExceptionStatus
from payments.disbursements.treasury_accounts import TreasuryAccounts
from payments.reconciliation.recon_report import ReconReport, build_report
from payments.reconciliation.recon_rows import ExceptionRecord


class ExceptionNotFound(NotFound):
    code = "recon_exception_not_found"

    def __init__(self, exception_id: str) -> None:
        super().__init__(f"reconciliation exception {exception_id} does not exist", exception_id=exception_id)


def _credit_due(r: Any, debited_on: date | None, on: date) -> bool:
    """Whether a return waiting for its credit makes the bank's balance lower than the ledger's on ``on``.

    The bank shows the payment leaving from its debit's booking date and coming back only with the credit. The
    ledger's Cash never moves for a return that beat its settlement (in-transit took it), and moves out and back
    for one that had settled (out at settlement, back on the return's date).
    """
    if debited_on is None or debited_on > on:
        return False
    return r.received_on <= on if r.settled_before else True


class ReconQueries:
    def __init__(self, uow_factory: UowFactory[ReconUnitOfWork], *, calendar: BusinessCalendar, unsettled_after: int,
                 lookback_days: int, cash_account_suffix: str = "-1010", clock: Any = None,
                 dates: DatePolicy | None = None, treasury: TreasuryAccounts | None = None) -> None:
        self.treasury = treasury or TreasuryAccounts()
        self._uow = uow_factory
        self._clock, self.dates = clock, dates or DatePolicy()
        self.calendar = calendar
        self.unsettled_after = unsettled_after
        self.lookback_days = lookback_days
        self.cash_suffix = cash_account_suffix

    def report(self, on: date) -> ReconReport:
        if self._clock is not None:
            self.dates.check(on, "date", self._clock.now().date())
        cutoff = self.calendar.add_business_days(on, -self.unsettled_after)
        with self._uow(read_only=True) as uow:
            sent = uow.recon_payments.unsettled_sent(sent_before=on + timedelta(days=1))
            overdue = [(p, self.calendar.business_days_between(p.sent_on, on)) for p in sent if p.sent_on < cutoff]
            in_transit = [p for p in sent if p.sent_on >= cutoff]
            awaiting = uow.recon.returns_awaiting_credit()
            debited_on = uow.recon.settlement_dates(r.payment_id for r in awaiting)
            returns = {r.id: r for r in uow.recon.returns_between(on, on)}
            elsewhere = [p for p in uow.recon_payments.open_for_matching(
                since=on - timedelta(days=self.lookback_days)) if p.status == "settled"]
            # Each bank account's own Cash, by fund (its pooled funds' shares): <fund>-<that account's cash code>.
            codes = self.treasury.cash_codes()
            cash: dict[tuple[str, str], dict[str, int]] = {}
            for row in uow.ledger_queries.balances(as_of=on):
                fund, _, code = row.account.partition("-")
                if code in codes and row.fund == fund:
                    shares = cash.setdefault((codes[code].name, row.currency), {})
                    shares[fund] = shares.get(fund, 0) + row.balance_minor
            rails: dict[str, str] = {}

            def bank_of_payment(payment_id: str) -> str:
                """The bank account a payment left from: its run's rail's (few: only items of the proof ask)."""
                if payment_id not in rails:
                    paid = uow.payments.get_payment(payment_id)
                    run = uow.payments.get_run(paid.run_id) if paid else None
                    rails[payment_id] = self.treasury.for_rail(run.rail if run else None).name
                return rails[payment_id]
            changes = [{"original_trace": c.original_trace, "change_code": c.change_code, "reason": c.reason,
                        "payment_id": c.payment_id, "vendor_id": c.vendor_id, "state": c.state,
                        "change_id": c.change_id, "corrected": c.corrected}
                       for c in uow.recon.changes_between(on, on)]
            return build_report(
                on, business_days=self.unsettled_after, matches=uow.recon.matches_between(on, on),
                open_lines=uow.recon.open_lines(), unsettled=overdue, in_transit=in_transit,
                returns_today=list(returns.values()),
                awaiting_credit=[(r, _credit_due(r, debited_on.get(r.payment_id), on)) for r in awaiting],
                settled_elsewhere=elsewhere, changes=changes, open_exceptions=uow.recon.count_open_exceptions(),
                ledger_cash=cash, statements=uow.recon.latest_statements(on),
                bank_of_statement=lambda account_id: self.treasury.for_statement(account_id).name,
                bank_of_payment=bank_of_payment)

    def list_exceptions(self, *, status: ExceptionStatus | None = ExceptionStatus.OPEN,
                        kind: ExceptionKind | None = None, after: str | None = None,
                        limit: int = 100) -> list[ExceptionRecord]:
        with self._uow(read_only=True) as uow:
            return uow.recon.list_exceptions(status=status, kind=kind, after=after, limit=limit)

    def get_exception(self, exception_id: str) -> ExceptionRecord:
        with self._uow(read_only=True) as uow:
            found = uow.recon.get_exception(exception_id)
        if found is None:
            raise ExceptionNotFound(exception_id)
        return found
