"""Where the money goes, totalled: a worked example on the open checkbook's public rows, no database.

Fiscal year 2027 runs July 2026 - June 2027. Payment P1 pays two invoices of Acme (PW 5710 $100 and FIN 5110 $50)
in November; P2 pays Jane, a person, $30 (PW 5710) in December; P3 paid Summit $70 in November and came back.
"""

from __future__ import annotations

import datetime as dt

from payments.reporting.checkbook import PaidItem
from payments.reporting.public_spending import (PublicSpending, SpendingFilter, fiscal_months, fiscal_year_bounds,
                                                fiscal_year_of)


def _item(payment: str, invoice: str, day: str, vendor: str, amount: int, dept: str, obj: str, *,
          person: bool = False, status: str = "settled") -> PaidItem:
    return PaidItem(payment, dt.date.fromisoformat(day), f"ven_{vendor}", vendor, person, "CCD", "nacha", status,
                    invoice, f"INV-{invoice}", "USD", amount, "100", dept, obj, "PO-1", "Chairs")


ITEMS = [_item("P1", "I1", "2026-11-06", "Acme", 10_000, "PW", "5710"),
         _item("P1", "I2", "2026-11-06", "Acme", 5_000, "FIN", "5110"),
         _item("P2", "I3", "2026-12-01", "Jane", 3_000, "PW", "5710", person=True),
         _item("P3", "I4", "2026-11-20", "Summit", 7_000, "PW", "5710", status="returned"),
         _item("P0", "I0", "2026-06-30", "Acme", 99_900, "PW", "5710")]  # fiscal year 2026


class _Source:
    def __init__(self) -> None:
        self.asked: list[tuple[dt.date, dt.date, dict[str, str | None]]] = []

    def paid_items_between(self, since, until, **coding):  # noqa: ANN001, ANN003, ANN201
        self.asked.append((since, until, coding))
        return iter([i for i in ITEMS if since <= i.payment_date <= until
                     and all(v is None or getattr(i, k) == v for k, v in coding.items())])

    def paid_items_of(self, payment_id):  # noqa: ANN001, ANN201
        return iter([i for i in ITEMS if i.payment_id == payment_id])


def test_fiscal_years_are_named_for_the_year_they_end_in():
    assert fiscal_year_bounds(2027, 7) == (dt.date(2026, 7, 1), dt.date(2027, 6, 30))
    assert fiscal_year_bounds(2027, 1) == (dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert (fiscal_year_of(dt.date(2026, 7, 1), 7), fiscal_year_of(dt.date(2026, 6, 30), 7)) == (2027, 2026)
    assert [m.isoformat() for m in fiscal_months(2027, 7)][::11] == ["2026-07-01", "2027-06-01"]


def test_the_year_by_department_and_payee_with_people_as_one_and_returns_in_no_total():
    service = PublicSpending(_Source(), fiscal_year_start_month=7)
    s = service.summary(SpendingFilter(2027))
    assert (s.total, s.payments, s.returned, s.redacted_minor) == ({"USD": 18_000}, 2, 1, {"USD": 3_000})
    assert [(t.key, t.amount_minor, t.count) for t in s.by["department"]] == [("PW", 13_000, 2), ("FIN", 5_000, 1)]
    assert [(t.key, t.amount_minor) for t in s.by["payee"]] == [("Acme", 15_000), ("Redacted payee", 3_000)]
    assert len(s.by_month) == 12 and [(t.key, t.amount_minor) for t in s.by_month if t.amount_minor] == [
        ("2026-11", 15_000), ("2026-12", 3_000)]


def test_a_month_and_a_coding_narrow_the_query_and_a_payee_is_matched_after_redaction():
    source = _Source()
    service = PublicSpending(source, fiscal_year_start_month=7)
    s = service.summary(SpendingFilter(2027, month="2026-11", department="PW"))
    assert source.asked[-1] == (dt.date(2026, 11, 1), dt.date(2026, 11, 30),
                                {"fund": None, "department": "PW", "object_code": None})
    assert (s.total, s.payments, s.returned) == ({"USD": 10_000}, 1, 1)
    assert [r.payment_id for r in service.rows(SpendingFilter(2027, payee="Jane"))] == []  # her name is not public
    assert [r.payment_id for r in service.rows(SpendingFilter(2027, payee="Redacted payee"))] == ["P2"]
    assert [r.payment_id for r in service.rows(SpendingFilter(2027, text="chairs"))] == ["P1", "P1", "P2", "P3"]
    (jane,) = service.payment("P2")
    assert (jane.payee, jane.invoice_number) == ("Redacted payee", "")
