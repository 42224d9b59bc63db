"""What managers read: spend against budget, AP aging, prompt-pay performance and vendor diversity.

Each report is a pure function over rows the read port (``ManagerReportSource``) streams; amounts are integer minor
units; money never passes through a float (rates are ``Decimal`` quantized once, to 0.0001).

* **Spend against budget** (a fiscal year): per fund, department and object, the budget line (appropriation,
  encumbered, expended, available = appropriation - encumbered - expended) beside what was paid out of it in
  payments that left and were not returned; and the payments by vendor and by month (period).
* **AP aging** (as of a day): invoices entered and not yet paid (matched, held or approved) by days past their
  prompt-pay due date: ``current`` (not yet due), ``1-30``, ``31-60``, ``61-90``, ``90+``; per vendor and per fund.
* **Prompt-pay performance**: each invoice a payment that left (not returned) paid: on time when the payment's
  date is on or before the due date; days to pay from the prompt-pay receipt date; the late interest it cost;
  discounts offered (by the invoice's terms, on its amount), taken, and lost (offered less taken). Grouped by the prompt-pay rule set recorded on the invoice (``federal`` when none).
* **Vendor diversity**: the share of payments (amount and count) to vendors holding each certification **valid on
  the payment date** (a certification that lapsed before, or starts after, the payment does not count).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Protocol

from payments.ap.split_purchases import SplitCandidate
from payments.ap.terms import TermsNotUnderstood, parse_terms
from payments.reporting.checkbook import PaidItem


@dataclass(frozen=True, slots=True)
class BudgetLine:
    fund: str
    department: str
    object_code: str
    currency: str
    appropriation_minor: int
    encumbered_minor: int
    expended_minor: int


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    invoice_id: str
    vendor_id: str
    fund: str
    due_date: dt.date | None
    amount_minor: int


@dataclass(frozen=True, slots=True)
class PaidInvoice:
    invoice_id: str
    payment_date: dt.date
    received_on: dt.date | None
    due_date: dt.date | None
    interest_minor: int
    discount_minor: int
    rule_set: str | None
    terms: str = ""  # the invoice's payment terms ("2/10 net 30"): what discount was offered
    amount_minor: int = 0  # the invoice amount the payment paid, before discount and interest


@dataclass(frozen=True, slots=True)
class Certification:
    kind: str
    valid_from: dt.date
    valid_to: dt.date


class ManagerReportSource(Protocol):
    def budget_lines(self, fiscal_year: int) -> Iterable[BudgetLine]:
        """The year's budget lines with their running encumbered and expended totals."""
        ...

    def paid_items(self) -> Iterator[PaidItem]:
        """As the checkbook's port: every invoice of every payment that left."""
        ...

    def open_invoices(self) -> Iterable[OpenInvoice]:
        """Invoices entered and not yet paid (matched, held, approved), with their due date and first line's fund."""
        ...

    def paid_invoices(self) -> Iterable[PaidInvoice]:
        """Each invoice of each payment that left and was not returned, with its prompt-pay clock."""
        ...

    def certifications(self) -> Mapping[str, Sequence[Certification]]:
        """Every vendor's certifications with their validity dates, by vendor id."""
        ...

    def split_candidates(self, since: dt.date, until: dt.date) -> Iterable[SplitCandidate]:
        """Every invoice dated in [since, until] that is not cancelled or returned."""
        ...


def _rate(part: int, whole: int) -> str | None:
    if whole == 0:
        return None
    return str((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_EVEN))


def _fiscal_year_of(day: dt.date, start_month: int) -> int:
    return day.year + 1 if start_month > 1 and day.month >= start_month else day.year


def spend_report(source: ManagerReportSource, fiscal_year: int, *, start_month: int = 7) -> dict[str, Any]:
    paid: dict[tuple[str, str, str], int] = defaultdict(int)
    by_vendor: dict[str, dict[str, Any]] = {}
    by_month: dict[str, int] = defaultdict(int)
    for item in source.paid_items():
        if item.payment_status == "returned" or _fiscal_year_of(item.payment_date, start_month) != fiscal_year:
            continue
        paid[(item.fund, item.department or "", item.object_code or "")] += item.amount_minor
        vendor = by_vendor.setdefault(item.vendor_id, {"vendor_id": item.vendor_id, "paid_minor": 0, "invoices": 0})
        vendor["paid_minor"] += item.amount_minor
        vendor["invoices"] += 1
        by_month[item.payment_date.strftime("%Y-%m")] += item.amount_minor
    lines = []
    for b in sorted(source.budget_lines(fiscal_year), key=lambda b: (b.fund, b.department, b.object_code)):
        key = (b.fund, b.department, b.object_code)
        lines.append({"fund": b.fund, "department": b.department, "object_code": b.object_code,
                      "currency": b.currency, "appropriation_minor": b.appropriation_minor,
                      "encumbered_minor": b.encumbered_minor, "expended_minor": b.expended_minor,
                      "available_minor": b.appropriation_minor - b.encumbered_minor - b.expended_minor,
                      "paid_minor": paid.pop(key, 0)})
    unbudgeted = [{"fund": f, "department": d, "object_code": o, "paid_minor": v} for (f, d, o), v in sorted(paid.items())]
    return {"fiscal_year": fiscal_year, "lines": lines, "paid_outside_budget_lines": unbudgeted,
            "by_vendor": sorted(by_vendor.values(), key=lambda v: (-v["paid_minor"], v["vendor_id"])),
            "by_month": [{"period": k, "paid_minor": v} for k, v in sorted(by_month.items())]}


AGING_BUCKETS = ("current", "1-30", "31-60", "61-90", "90+", "no_due_date")


def aging_bucket(due: dt.date | None, as_of: dt.date) -> str:
    if due is None:
        return "no_due_date"
    late = (as_of - due).days
    if late <= 0:
        return "current"
    return "1-30" if late <= 30 else "31-60" if late <= 60 else "61-90" if late <= 90 else "90+"


def aging_report(source: ManagerReportSource, as_of: dt.date) -> dict[str, Any]:
    def empty() -> dict[str, int]:
        return dict.fromkeys(AGING_BUCKETS, 0)

    total = empty()
    by_vendor: defaultdict[str, dict[str, int]] = defaultdict(empty)
    by_fund: defaultdict[str, dict[str, int]] = defaultdict(empty)
    count = empty()
    for inv in source.open_invoices():
        bucket = aging_bucket(inv.due_date, as_of)
        for table in (total, by_vendor[inv.vendor_id], by_fund[inv.fund]):
            table[bucket] += inv.amount_minor
        count[bucket] += 1
    return {"as_of": as_of.isoformat(), "buckets": list(AGING_BUCKETS), "total_minor": total, "count": count,
            "by_vendor": [{"vendor_id": k, **v} for k, v in sorted(by_vendor.items())],
            "by_fund": [{"fund": k, **v} for k, v in sorted(by_fund.items())]}


def discount_offered(terms: str, amount_minor: int) -> int:
    """The early-payment discount the invoice's terms offered on its amount (0 for terms without one, or unreadable)."""
    try:
        parsed = parse_terms(terms) if terms.strip() else None
    except TermsNotUnderstood:
        return 0
    return parsed.discount_minor(amount_minor) if parsed is not None and parsed.has_discount else 0


def prompt_pay_report(source: ManagerReportSource, start: dt.date, end: dt.date) -> dict[str, Any]:
    groups: dict[str, dict[str, Any]] = {}
    for p in source.paid_invoices():
        if not start <= p.payment_date <= end:
            continue
        g = groups.setdefault(p.rule_set or "federal", {"rule_set": p.rule_set or "federal", "invoices": 0,
                                                        "on_time": 0, "late": 0, "days_to_pay": [],
                                                        "late_interest_minor": 0, "discounts_offered_minor": 0,
                                                        "discounts_taken_minor": 0, "discounts_lost_minor": 0})
        g["invoices"] += 1
        on_time = p.due_date is None or p.payment_date <= p.due_date
        g["on_time" if on_time else "late"] += 1
        if p.received_on is not None:
            g["days_to_pay"].append((p.payment_date - p.received_on).days)
        g["late_interest_minor"] += p.interest_minor
        offered = discount_offered(p.terms, p.amount_minor)
        g["discounts_offered_minor"] += offered
        g["discounts_taken_minor"] += p.discount_minor
        g["discounts_lost_minor"] += max(offered - p.discount_minor, 0)
    out = []
    for g in sorted(groups.values(), key=lambda g: g["rule_set"]):
        days = sorted(g.pop("days_to_pay"))
        out.append({**g, "on_time_rate": _rate(g["on_time"], g["invoices"]),
                    "days_to_pay": {"min": days[0], "median": days[len(days) // 2], "max": days[-1]} if days else None})
    return {"from": start.isoformat(), "to": end.isoformat(), "by_rule_set": out}


def diversity_report(source: ManagerReportSource, start: dt.date, end: dt.date) -> dict[str, Any]:
    certs = source.certifications()
    total_minor, total_count = 0, 0
    shares: dict[str, dict[str, int]] = defaultdict(lambda: {"paid_minor": 0, "payments": 0})
    seen: set[tuple[str, str]] = set()
    for item in source.paid_items():
        if item.payment_status == "returned" or not start <= item.payment_date <= end:
            continue
        first = (item.payment_id, "") not in seen
        seen.add((item.payment_id, ""))
        total_minor += item.amount_minor
        total_count += first
        for kind in sorted({c.kind for c in certs.get(item.vendor_id, ())
                            if c.valid_from <= item.payment_date <= c.valid_to}):
            shares[kind]["paid_minor"] += item.amount_minor
            if (item.payment_id, kind) not in seen:
                seen.add((item.payment_id, kind))
                shares[kind]["payments"] += 1
    return {"from": start.isoformat(), "to": end.isoformat(), "paid_minor": total_minor, "payments": total_count,
            "by_certification": [{"certification": k, **v, "amount_share": _rate(v["paid_minor"], total_minor),
                                  "count_share": _rate(v["payments"], total_count)} for k, v in sorted(shares.items())]}


class ManagerReports:
    """The four reports over one read port: what the CLI (`disburse reports …`) and `/v1/reports/…` call."""

    def __init__(self, source: ManagerReportSource, *, fiscal_year_start_month: int = 7,
                 split_thresholds_minor: Mapping[str, int] | None = None, split_window_days: int = 30,
                 suppliers: Any = None, local_rule: Any = None, forecaster: Any = None) -> None:
        self._source, self._start_month = source, fiscal_year_start_month
        self._split = (dict(split_thresholds_minor or {}), split_window_days)
        # supplier_reports.SupplierSource & LocalSource, supplier_reports.LocalRule, cash_forecast.CashForecaster
        self._suppliers, self._local_rule, self._forecaster = suppliers, local_rule, forecaster
        self.signals: Any = None  # the review queue (signal_queue.SignalQueue), set by the composition root
        self.tin_matching: Any = None  # tin_matching.TinMatching
        self.form_1099: Any = None  # year -> form_1099.Form1099Year (TINs masked)
        self.copy_b: Any = None  # (year, vendor id) -> Form 1099-NEC Copy B PDF bytes, or None

    def supplier_performance(self, start: dt.date, end: dt.date) -> dict[str, Any]:
        from payments.reporting.supplier_reports import supplier_performance

        return supplier_performance(self._suppliers, start, end)

    def local_vendors(self, start: dt.date, end: dt.date) -> dict[str, Any]:
        from payments.reporting.supplier_reports import LocalRule, local_vendor_report

        return local_vendor_report(self._suppliers, self._local_rule or LocalRule(), start, end)

    def cash_forecast(self, today: dt.date, business_days: int) -> dict[str, Any]:
        """What leaves the bank in the next ``business_days`` business days (payments/reporting/cash_forecast.py)."""
        return dict(self._forecaster.forecast(today, business_days))

    def split_purchases(self, start: dt.date, end: dt.date) -> dict[str, Any]:
        """The split-purchase review queue (payments/reporting/assist_signals.py)."""
        from payments.reporting.assist_signals import split_purchase_queue

        return split_purchase_queue(self._source, start, end, thresholds_minor=self._split[0],
                                    window_days=self._split[1])

    def spend(self, fiscal_year: int) -> dict[str, Any]:
        return spend_report(self._source, fiscal_year, start_month=self._start_month)

    def aging(self, as_of: dt.date) -> dict[str, Any]:
        return aging_report(self._source, as_of)

    def prompt_pay(self, start: dt.date, end: dt.date) -> dict[str, Any]:
        return prompt_pay_report(self._source, start, end)

    def diversity(self, start: dt.date, end: dt.date) -> dict[str, Any]:
        return diversity_report(self._source, start, end)
