"""Prompt payment by the law that binds the agency: named, versioned, effective-dated rule sets.

A rule set is data (a TOML file per statute beside this module, see ``model``) plus the little code its
differences need: ``due_date`` (clock), ``late_interest`` (accrual) and ``rate_for`` (rates).
"""

from payments.ap.prompt_pay_rules.accrual import DisputeFacts, LateInterest, Stop, add_months, late_interest
from payments.ap.prompt_pay_rules.catalog import (
    RuleSetNotInForce,
    UnknownRuleSet,
    all_versions,
    load_rule_set,
    rule_set_names,
    rule_set_on,
)
from payments.ap.prompt_pay_rules.clock import ClockEvents, DueDate, due_date, improper_return_by
from payments.ap.prompt_pay_rules.model import RateRow, Rule, RuleSet, RuleSetInvalid
from payments.ap.prompt_pay_rules.rates import AppliedRate, rate_for

__all__ = [
    "AppliedRate", "ClockEvents", "DisputeFacts", "DueDate", "LateInterest", "RateRow", "Rule", "RuleSet",
    "RuleSetInvalid", "RuleSetNotInForce", "Stop", "UnknownRuleSet", "add_months", "all_versions", "due_date",
    "improper_return_by", "late_interest", "load_rule_set", "rate_for", "rule_set_names", "rule_set_on",
]
