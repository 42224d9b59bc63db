"""The AP policies (tolerances, prompt pay, approvals) read from the plain policy document main.py loads.

The policy file keeps tolerances flat and readable (``price_pct = "2"``); overrides per vendor or category are
tables of the same keys (``[tolerances.vendors.ven_01J…]``, ``[tolerances.categories.furniture]``). A key not
set is zero: a blank tolerance lets nothing through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ledger.money import decimal_to_minor
from payments.controls import ApprovalPolicy
from payments.dates import DatePolicy
from payments.ap.prompt_pay import InterestRate, PromptPayPolicy, RateTable
from payments.ap.prompt_pay_rules.agency import AgencyRules, agency_rules
from payments.ap.matching.tolerance import TolerancePolicy

# flat key prefix -> tolerance dimension
_DIMENSIONS = {"price": "price", "qty": "quantity", "line_amount": "line_amount", "total": "max_total"}


def _dimensions(table: Mapping[str, Any], *, defaults: bool) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for prefix, dimension in _DIMENSIONS.items():
        pct, absolute = table.get(f"{prefix}_pct"), table.get(f"{prefix}_abs")
        combine = table.get(f"{prefix}_combine")
        if pct is None and absolute is None and not defaults:
            continue  # an override that does not mention a dimension inherits it
        spec = {"pct": str(pct or 0), "absolute": str(absolute or 0)}
        if combine:
            spec["combine"] = str(combine)
        out[dimension] = spec
    return out


def tolerance_policy(policy: Mapping[str, Any]) -> TolerancePolicy:
    table = policy.get("tolerances", {})
    return TolerancePolicy.from_mapping({
        "version": str(table.get("version") or policy.get("version", "default")),
        "duplicate_window_days": int(policy.get("duplicates", {}).get("date_window_days", 7)),
        "default": _dimensions(table, defaults=True),
        "vendors": {k: _dimensions(v, defaults=False) for k, v in table.get("vendors", {}).items()},
        "categories": {k: _dimensions(v, defaults=False) for k, v in table.get("categories", {}).items()},
    })


def prompt_pay_policy(policy: Mapping[str, Any]) -> PromptPayPolicy:
    table = policy.get("prompt_pay", {})
    return PromptPayPolicy(
        version=str(table.get("version") or policy.get("version", "default")),
        due_days=int(table.get("days_to_pay", 30)),
        due_days_by_category={str(k): int(v) for k, v in table.get("days_to_pay_by_category", {}).items()},
        acceptance_days=int(table.get("acceptance_deemed_days", 7)),
        improper_return_days=int(table.get("improper_return_days", 7)),
        discount_threshold_rate=Decimal(str(table.get("discount_threshold_rate_pct", "0"))) / 100,
    )


def interest_rates(policy: Mapping[str, Any]) -> RateTable:
    rows = policy.get("prompt_pay", {}).get("interest_rates", [])
    return RateTable(InterestRate(dt.date.fromisoformat(d), Decimal(str(r)) / 100) for d, r in rows)


def approval_policy(policy: Mapping[str, Any]) -> ApprovalPolicy:
    currency = str(policy.get("payments", {}).get("currency", "USD"))
    table = policy.get("approvals", {})
    threshold, window = table.get("dual_approval_threshold"), int(table.get("split_window_days", 30))
    if threshold is None:
        return ApprovalPolicy({}, window)
    return ApprovalPolicy({currency: decimal_to_minor(str(threshold), currency)}, window)


@dataclass(frozen=True)
class APPolicies:
    """Everything the AP use cases read from policy, built once by the composition root."""

    tolerance: TolerancePolicy
    prompt_pay: PromptPayPolicy
    approval: ApprovalPolicy
    currency: str = "USD"
    # The month a fiscal year starts in; a year is named for the calendar year it ends in (July 2026 starts
    # FY2027 with the default, as the example agency's does; the federal year starts in October).
    fiscal_year_start_month: int = 7
    # Which years a purchase order may be charged to, around the current one: by default this year and the
    # next (orders placed ahead for next year's budget); an agency that still charges last year's
    # appropriation during its closing period opens one year back.
    po_fiscal_years_before: int = 0
    po_fiscal_years_after: int = 1
    # Which prompt-payment rule set (state act or the federal rule) dates each invoice, by receipt date.
    prompt_pay_rules: AgencyRules = AgencyRules()
    # The one date policy ([dates]): invoice, receipt and credit-memo dates outside it are refused.
    dates: DatePolicy = DatePolicy()

    @classmethod
    def from_policy(cls, policy: Mapping[str, Any]) -> APPolicies:
        budget = policy.get("budget", {})
        start = int(budget.get("fiscal_year_start_month", 7))
        if not 1 <= start <= 12:
            raise ValueError(f"budget.fiscal_year_start_month must be 1-12, not {start}")
        before, after = int(budget.get("po_fiscal_years_before", 0)), int(budget.get("po_fiscal_years_after", 1))
        for name, value in (("po_fiscal_years_before", before), ("po_fiscal_years_after", after)):
            if not 0 <= value <= 5:
                raise ValueError(f"budget.{name} must be 0-5, not {value}")
        return cls(tolerance_policy(policy), prompt_pay_policy(policy), approval_policy(policy),
                   str(policy.get("payments", {}).get("currency", "USD")), start, before, after,
                   agency_rules(policy), DatePolicy.from_policy(policy))

    def po_fiscal_years(self, today: dt.date) -> range:
        """The fiscal years a purchase order entered on ``today`` may be charged to."""
        current = self.fiscal_year_of(today)
        return range(current - self.po_fiscal_years_before, current + self.po_fiscal_years_after + 1)

    def fiscal_year_of(self, day: dt.date) -> int:
        """The fiscal year ``day`` falls in."""
        return day.year + 1 if self.fiscal_year_start_month > 1 and day.month >= self.fiscal_year_start_month \
            else day.year
