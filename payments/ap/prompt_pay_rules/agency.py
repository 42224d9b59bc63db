"""The agency's choice of rule sets, read from its policy document, and the rule an invoice carries.

Policy (``[prompt_pay]`` in the plain policy document main.py loads)::

    rule_set = "texas"                                   # the agency's rule set (default "federal")
    rule_set_changes = [["2027-01-01", "florida_local"]] # from that receipt date on, another one
    [prompt_pay.rule_sets_by_category]                   # a purchase-order category the law treats apart
    construction = "florida_local"
    [prompt_pay.rule_set_rates]                          # rates published after the rule set shipped
    texas = [["2026-09-01", "6.75", "2027-08-31"]]

An invoice's rule is chosen by the day it was received, so changing the agency's rule set (a new row in
``rule_set_changes``) applies to invoices received from that day on; the rule chosen is recorded with the
invoice's due date as a *label*, ``name@version`` (``/category`` when the rule set treats the category apart),
and a payment's interest is computed, and recorded, under the label its invoice carries.

An act whose rate is published from time to time (Texas's fiscal-year rate, New York's quarterly rate) needs the
rate in force *today* in the rule set or in ``rule_set_rates``: ``missing_rates`` names each one missing, and the
composition root refuses to start without it, rather than a payment run meeting ``no_interest_rate``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ledger.money import minor_text
from payments.ap.prompt_pay import NoRateInEffect
from payments.ap.prompt_pay_rules.accrual import LateInterest, late_interest
from payments.ap.prompt_pay_rules.catalog import RuleSetNotInForce, load_rule_set, rule_set_names, rule_set_on
from payments.ap.prompt_pay_rules.facts import PromptPayFacts
from payments.ap.prompt_pay_rules.model import RateRow, RuleSet, parse_rows
from payments.ap.prompt_pay_rules.rates import rate_for
from payments.business_days import BusinessCalendar

FEDERAL = "federal"


def label_of(rule_set: RuleSet, category: str | None) -> str:
    """``name@version``, with ``/category`` when the rule set has a rule of its own for the category."""
    tail = f"/{category}" if category and category in rule_set.categories else ""
    return f"{rule_set.label}{tail}"


def parse_label(label: str) -> tuple[RuleSet, str | None]:
    """The rule set version and category a label names."""
    head, _, category = label.partition("/")
    name, _, version = head.partition("@")
    return load_rule_set(name, version or None), category or None


def federal_label() -> str:
    """The label of the federal rule set's newest version (what an unlabelled invoice was computed under)."""
    return label_of(load_rule_set(FEDERAL), None)


def is_federal(label: str | None) -> bool:
    """Invoices without a label were clocked by the federal module before rule sets existed."""
    return label is None or label.partition("@")[0] == FEDERAL


@dataclass(frozen=True)
class AgencyRules:
    default: str = FEDERAL
    changes: tuple[tuple[dt.date, str], ...] = ()
    by_category: Mapping[str, str] = field(default_factory=dict)
    rows: Mapping[str, tuple[RateRow, ...]] = field(default_factory=dict)
    # The agency's business days (the Fed calendar plus its closures), for acts that count business days.
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)

    def name_for(self, received_on: dt.date, category: str | None, *, contract: str | None = None) -> str:
        """The rule set for an invoice received on ``received_on``: the one its contract (or vendor) follows where
        staff set one, else the one the policy names for its category, else the agency's as of that day."""
        if contract:
            return contract
        if category and category in self.by_category:
            return self.by_category[category]
        name = self.default
        for since, changed in self.changes:
            if since <= received_on:
                name = changed
        return name

    def rule_set_for(self, received_on: dt.date, category: str | None, *, contract: str | None = None) -> RuleSet:
        """The version, of the rule set named for this receipt date, category and contract, in force then."""
        return rule_set_on(self.name_for(received_on, category, contract=contract), received_on)

    def interest(self, label: str, principal_minor: int, *, due_date: dt.date, paid_on: dt.date,
                 calendar: BusinessCalendar | None, facts: PromptPayFacts | None = None) -> LateInterest:
        """Interest under the rule an invoice's label names, with the agency's published rates added, weighing what
        staff recorded about the invoice (``facts``: the payee's kind, a dispute, clock stops, federal money)."""
        rule_set, category = parse_label(label)
        facts = facts or PromptPayFacts()
        try:
            return late_interest(rule_set, principal_minor, due_date=due_date, paid_on=paid_on, calendar=calendar,
                                 category=category, agency_rows=self.rows.get(rule_set.name, ()),
                                 received_on=facts.received_on, payee_kind=facts.payee_kind, dispute=facts.dispute,
                                 stops=facts.stops_for(due_date))
        except NoRateInEffect as exc:
            raise NoRateInEffect(dt.date.fromisoformat(exc.details["day"]), rate_to_add(rule_set)) from None

    def missing_rates(self, today: dt.date) -> list[str]:
        """One sentence per rule set the policy names (besides the federal rule, whose Treasury rates run on until
        replaced) that takes a published rate and has none in force on ``today``: what the policy must add."""
        named = {self.default, *(name for _, name in self.changes), *self.by_category.values()} - {FEDERAL}
        out = []
        for name in sorted(named):
            try:
                rule_set = rule_set_on(name, today)
            except RuleSetNotInForce:
                continue
            for rule in (rule_set.base, *rule_set.categories.values()):
                if rule.rate.source == "fixed":
                    continue
                try:
                    rate_for(rule, first_day_late=today, paid_on=today, agency_rows=self.rows.get(name, ()))
                except NoRateInEffect:
                    out.append(f"prompt_pay.rule_set_rates.{name}: no interest rate is in force on "
                               f"{today.isoformat()}. {rate_to_add(rule_set)}")
                    break
        return out


def rate_to_add(rule_set: RuleSet) -> str:
    """What an agency adds to its policy when its act's published rate for a day is missing."""
    rate = rule_set.base.rate
    what = "the prime rate" if rate.source == "prime_plus" else "the rate"
    return (f"The {rule_set.title} ({rule_set.statute}) takes {what} published by {rate.published_by or 'its publisher'}"
            f": add each new one to the policy as [prompt_pay.rule_set_rates] {rule_set.name} = "
            f"[[\"<from YYYY-MM-DD>\", \"<{what[4:]} %>\", \"<until YYYY-MM-DD>\"]] before it is needed "
            "(docs/prompt-payment.md).")


def agency_rules(policy: Mapping[str, Any]) -> AgencyRules:
    """The agency's rule sets from its policy's ``[prompt_pay]`` table (and its ``[calendar]`` closures); a name
    no rule set has is refused at start."""
    known = rule_set_names()
    table = policy.get("prompt_pay", {})
    closures = [dt.date.fromisoformat(str(d)) for d in policy.get("calendar", {}).get("extra_holidays", [])]

    def name(value: object, where: str) -> str:
        if value not in known:
            raise ValueError(f"prompt_pay.{where}: {value!r} is not a rule set; the rule sets are {', '.join(known)}")
        return str(value)

    changes = []
    for i, row in enumerate(table.get("rule_set_changes", [])):
        if not isinstance(row, list) or len(row) != 2:
            raise ValueError(f"prompt_pay.rule_set_changes[{i}]: a change is [\"YYYY-MM-DD\", \"rule set\"]")
        changes.append((dt.date.fromisoformat(str(row[0])), name(row[1], f"rule_set_changes[{i}]")))
    rows = {name(k, f"rule_set_rates.{k}"): parse_rows(v, f"prompt_pay.rule_set_rates.{k}")
            for k, v in table.get("rule_set_rates", {}).items()}
    return AgencyRules(name(table.get("rule_set", FEDERAL), "rule_set"), tuple(sorted(changes)),
                       {str(k): name(v, f"rule_sets_by_category.{k}")
                        for k, v in table.get("rule_sets_by_category", {}).items()}, rows,
                       BusinessCalendar.with_closures(closures))


def interest_note(label: str, interest_minor: int, currency: str) -> str:
    """A remittance's words for an invoice's interest (at most 140 characters with every shipped rule): how much,
    under which rule, and which statute that is."""
    rule_set, _ = parse_label(label)
    return f"Interest {minor_text(interest_minor, currency)} {currency} under {label} ({rule_set.statute})"


def interest_in_words(label: str, interest_minor: int, currency: str) -> str:
    """What a vendor's remittance advice says of the interest on an invoice: the amount, the law by name, the rule."""
    rule_set, _ = parse_label(label)
    return (f"Includes {minor_text(interest_minor, currency)} {currency} of late-payment interest under the "
            f"{rule_set.title} ({rule_set.statute}), computed by rule {label}.")


def in_plain_words(label: str, *, due_date: dt.date, late: LateInterest | None) -> str:
    """What a vendor reads: which law, when the invoice became overdue, and the rate and from when it runs."""
    rule_set, _ = parse_label(label)
    law = f"This invoice is paid under the {rule_set.title} ({rule_set.statute})."
    overdue = due_date + dt.timedelta(days=1)
    if late is None or late.rate is None or late.accrues_after is None:
        return f"{law} It is due by {due_date.isoformat()}."
    runs_from = late.accrues_after + dt.timedelta(days=1)
    return (f"{law} It became overdue on {overdue.isoformat()}; interest runs from {runs_from.isoformat()} at "
            f"{late.rate.describe()}.")
