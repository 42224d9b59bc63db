"""Discounts offered, taken and lost, by rule set: three invoices of $1,000.00 on "2/10 net 30" offer $20.00 each.

Invoice A is paid within ten days and takes its $20.00; B is paid on day 25 (on time, discount lost: $20.00);
C, under the Texas act, is paid late on day 40 with $3.29 interest and loses its discount. A $500.00 invoice on
"net 30" offers nothing. Through the report the manager pages and `/v1/reports/prompt-pay` call.
"""

from __future__ import annotations

import datetime as dt

from payments.reporting.manager_reports import ManagerReports, PaidInvoice

RECEIVED = dt.date(2026, 3, 2)
DUE = RECEIVED + dt.timedelta(days=30)


class OnlyPaidInvoices:
    def __init__(self, rows: list[PaidInvoice]) -> None:
        self.rows = rows

    def paid_invoices(self) -> list[PaidInvoice]:
        return self.rows


def _paid(invoice_id: str, day: int, *, discount: int = 0, interest: int = 0, rule: str | None = None,
          terms: str = "2/10 net 30", amount: int = 100_000) -> PaidInvoice:
    return PaidInvoice(invoice_id, RECEIVED + dt.timedelta(days=day), RECEIVED, DUE, interest, discount, rule,
                       terms, amount)


def test_offered_taken_and_lost_by_rule_set():
    source = OnlyPaidInvoices([
        _paid("inv_A", 8, discount=2_000), _paid("inv_B", 25), _paid("inv_D", 20, terms="net 30", amount=50_000),
        _paid("inv_C", 40, interest=329, rule="texas@2251")])
    report = ManagerReports(source).prompt_pay(dt.date(2026, 1, 1), dt.date(2026, 12, 31))  # type: ignore[arg-type]
    federal, texas = report["by_rule_set"]
    assert (federal["rule_set"], federal["invoices"], federal["on_time"], federal["late"]) == ("federal", 3, 3, 0)
    assert (federal["discounts_offered_minor"], federal["discounts_taken_minor"],
            federal["discounts_lost_minor"]) == (4_000, 2_000, 2_000)
    assert federal["days_to_pay"] == {"min": 8, "median": 20, "max": 25}
    assert (texas["rule_set"], texas["late"], texas["on_time_rate"], texas["late_interest_minor"]) == (
        "texas@2251", 1, "0.0000", 329)
    assert (texas["discounts_offered_minor"], texas["discounts_lost_minor"]) == (2_000, 2_000)


def test_a_payment_outside_the_period_is_not_counted():
    source = OnlyPaidInvoices([_paid("inv_A", 8, discount=2_000)])
    report = ManagerReports(source).prompt_pay(dt.date(2026, 4, 1), dt.date(2026, 4, 30))  # type: ignore[arg-type]
    assert report["by_rule_set"] == []
