"""The payment-run policy read from the policy file's tables, as the domain's :class:`RunPolicy`."""

from __future__ import annotations

from typing import Any

from payments.disbursements.payment_runs import RunPolicy


def run_policy_from(policy: dict[str, Any]) -> RunPolicy:
    """The payment-run policy from the TOML tables [payments], [calendar], [prompt_pay], [approvals], [bank_accounts]."""
    import datetime as dt
    from decimal import Decimal

    from ledger.money import decimal_to_minor
    from payments.business_days import BusinessCalendar
    from payments.dates import DatePolicy
    from payments.disbursements.treasury_accounts import TreasuryAccounts
    from payments.ap.prompt_pay import InterestRate, PromptPayPolicy, RateTable
    from payments.ap.prompt_pay_rules.agency import agency_rules

    pay, pp = policy.get("payments", {}), policy.get("prompt_pay", {})
    hour, minute = (int(x) for x in str(pay.get("cutoff", "14:00")).split(":"))
    calendar = BusinessCalendar.with_closures(
        [dt.date.fromisoformat(d) for d in policy.get("calendar", {}).get("extra_holidays", [])],
        cutoff=dt.time(hour, minute))
    currency = str(pay.get("currency", "USD"))
    prompt = PromptPayPolicy(str(policy.get("version", "default")), due_days=int(pp.get("days_to_pay", 30)),
                             acceptance_days=int(pp.get("acceptance_deemed_days", 7)),
                             discount_threshold_rate=Decimal(str(pp.get("discount_threshold_rate_pct", "0"))) / 100)
    rates = RateTable([InterestRate(dt.date.fromisoformat(d), Decimal(r) / 100)
                       for d, r in pp.get("interest_rates", [])]) if pp.get("interest_rates") else None
    threshold = policy.get("approvals", {}).get("run_dual_release_threshold", "1000000.00")
    return RunPolicy(calendar=calendar, prompt_pay=prompt, lead_days=int(pay.get("lead_days", 2)), currency=currency,
                     rates=rates, dual_release_threshold_minor=decimal_to_minor(str(threshold), currency),
                     prenote_wait_business_days=int(policy.get("bank_accounts", {}).get("prenote_wait_business_days", 3)),
                     rules=agency_rules(policy), dates=DatePolicy.from_policy(policy),
                     horizon_days=int(pay.get("run_horizon_days", 10)), treasury=TreasuryAccounts.from_policy(policy))
