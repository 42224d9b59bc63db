"""A prompt-payment rule set as data: what one statute says about when an invoice is due and what lateness costs.

Each shipped rule set is a TOML file beside this module (``federal.toml``, ``texas.toml``, ...). A file names the
statute and holds one or more *versions*, each effective from a date; a later version repeats only what the
law changed (its tables are merged over the previous version's). Within a version, ``[categories.<name>]``
tables override the base rule for one kind of purchase (construction, a small business, ...) the same way.

The vocabulary is deliberately small — every state act we ship is expressed with it:

- ``clock.start``: the events whose *latest* date starts the clock (``invoice_received``, ``goods_received``,
  ``acceptance`` — the federal acceptance, deemed ``acceptance_deemed_days`` after delivery —, ``funds_received``);
  ``clock.funds_wait``: a purchase the agency flags as paid with federal or grant money starts no sooner than
  that money arrives (the act lets payment wait for it).
- ``term``: ``days`` counted as ``calendar``, ``business`` (the agency's business calendar) or
  ``calendar_excluding_holidays`` (weekends count, holidays do not); ``weekend_grace`` lets a due date on a
  closed day be paid on the next business day without interest; ``contract_may_extend`` lets a contract name a
  longer period (otherwise a contract's period can only shorten the act's).
- ``rate``: ``fixed`` (``monthly_pct`` or ``annual_pct``), ``published`` (an effective-dated table, rows
  optionally ending ``until`` a date), or ``prime_plus`` (a table of prime rates plus ``margin_pct``);
  ``fixing`` says which day picks the row: ``first_day_late`` or ``payment_date``.
- ``accrual``: ``method`` is ``federal_periods`` (compound every ``period_days`` at r/12, simple r/360 for the
  days left), ``simple_daily`` (P·r·d/``day_basis``), ``monthly`` (calendar months at the monthly rate; a part
  month is ``prorated`` by days/30 or counts ``whole``; ``compound`` monthly or not), ``daily_compound``
  (P·((1+r/``day_basis``)^d − 1)); ``grace_days`` after the due date before interest runs; ``max_days`` caps it.
- ``minimum``: ``pay_threshold_minor`` (interest below it is not paid) and ``floor_per_month_minor`` (at
  least this much for each month begun).
- ``dispute``: a dispute noticed within ``notice_within_days`` of receipt (or by the due date, when
  ``notice_by_due_date``) changes interest as ``if_resolved_for_agency`` / ``if_resolved_for_vendor`` says:
  ``no_interest``, ``original_due_date``, ``restart_on_corrected_invoice``, or ``accrue_after_decision``
  (interest from ``accrue_days_after_decision`` days after the decision).
- ``exempt``: payee kinds the act does not cover (``government``, ``state_agency``, ``employee``; a state agency is
  a government, so an act exempting governments exempts it too) and ``stops``: reasons that take a payment out
  of the act (``exempt``) or stop the clock for their days (``pause``).
- ``improper_notice_days`` / ``improper_notice_counting``: by when an improper invoice must be returned with its
  defects, counted from its receipt in ``calendar`` or ``business`` days (absent when the act sets no period).
- ``waiver_allowed`` (true, false, or absent when the text read does not say), ``interest_claim_required``.
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from payments.errors import InvalidInput

CLOCK_EVENTS = frozenset({"invoice_received", "goods_received", "acceptance", "funds_received"})
COUNTINGS = frozenset({"calendar", "business", "calendar_excluding_holidays"})
RATE_SOURCES = frozenset({"fixed", "published", "prime_plus"})
FIXINGS = frozenset({"first_day_late", "payment_date"})
METHODS = frozenset({"federal_periods", "simple_daily", "monthly", "daily_compound"})
PART_MONTHS = frozenset({"prorated", "whole"})
DISPUTE_EFFECTS = frozenset({"no_interest", "original_due_date", "restart_on_corrected_invoice",
                             "accrue_after_decision"})
STOP_EFFECTS = frozenset({"exempt", "pause"})
PAYEE_KINDS = frozenset({"government", "state_agency", "employee"})
# A payee kind also counts as the wider kinds it belongs to: a state agency is a government.
PAYEE_KIND_IS = {"state_agency": frozenset({"state_agency", "government"})}
NOTICE_COUNTINGS = frozenset({"calendar", "business"})


class RuleSetInvalid(InvalidInput):
    """A rule-set document breaks the vocabulary above: the message names the rule set, the key and why."""

    code = "prompt_pay_rule_set_invalid"

    def __init__(self, where: str, why: str) -> None:
        super().__init__(f"Prompt-payment rule set {where}: {why}.", where=where, why=why)


@dataclass(frozen=True, slots=True)
class RateRow:
    """One published rate: in force from ``effective_from`` (through ``until`` when the publisher says so)."""

    effective_from: dt.date
    pct: Decimal
    until: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Rate:
    source: str
    fixing: str = "first_day_late"
    annual_pct: Decimal | None = None
    monthly_pct: Decimal | None = None
    margin_pct: Decimal = Decimal(0)
    table: tuple[RateRow, ...] = ()
    published_by: str = ""


@dataclass(frozen=True, slots=True)
class Accrual:
    method: str
    day_basis: int = 365
    period_days: int = 30
    part_month: str = "prorated"
    compound: bool = False
    grace_days: int = 0
    max_days: int | None = None


@dataclass(frozen=True, slots=True)
class Dispute:
    notice_within_days: int | None = None
    notice_by_due_date: bool = False
    if_resolved_for_agency: str = "original_due_date"
    if_resolved_for_vendor: str = "original_due_date"
    accrue_days_after_decision: int = 0


@dataclass(frozen=True, slots=True)
class Rule:
    """The rule for one category of purchase within one version of a rule set (all defaults resolved)."""

    start: tuple[str, ...]
    acceptance_deemed_days: int
    term_days: int
    counting: str
    weekend_grace: bool
    contract_may_extend: bool
    rate: Rate
    accrual: Accrual
    pay_threshold_minor: int
    floor_per_month_minor: int
    dispute: Dispute | None
    improper_notice_days: int | None
    exempt_payees: frozenset[str]
    stops: Mapping[str, str]
    waiver_allowed: bool | None
    interest_claim_required: bool
    improper_notice_counting: str = "calendar"
    funds_wait: bool = False

    def exempts_payee(self, payee_kind: str | None) -> bool:
        """Whether the act does not cover a payment to a payee of this kind."""
        return payee_kind is not None and bool(PAYEE_KIND_IS.get(payee_kind, {payee_kind}) & self.exempt_payees)


@dataclass(frozen=True)
class RuleSet:
    """One version of a named rule set: its base rule and the rules of its categories."""

    name: str
    version: str
    effective_from: dt.date
    title: str
    statute: str
    base: Rule
    categories: Mapping[str, Rule] = field(default_factory=dict)
    sections: Mapping[str, str] = field(default_factory=dict)

    def rule_for(self, category: str | None) -> Rule:
        """The category's rule when the rule set has one, else the base rule."""
        return self.categories.get(category, self.base) if category else self.base

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"


# --- parsing -------------------------------------------------------------------------------------------


def merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` merged into ``base`` table by table; any other value in ``over`` replaces the base's."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


class _Reader:
    """Reads one table, naming the key in every complaint."""

    def __init__(self, where: str, table: Mapping[str, Any]) -> None:
        self.where, self.table = where, table

    def fail(self, key: str, why: str) -> RuleSetInvalid:
        return RuleSetInvalid(f"{self.where}.{key}", why)

    def int(self, key: str, default: int | None = None, *, minimum: int = 0) -> int:
        value = self.table.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise self.fail(key, f"must be a whole number of at least {minimum}, not {value!r}")
        return value

    def opt_int(self, key: str) -> builtins.int | None:
        return None if self.table.get(key) is None else self.int(key)

    def bool(self, key: str, default: bool) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false, not {value!r}")
        return value

    def choice(self, key: str, allowed: frozenset[str], default: str | None = None) -> str:
        value = self.table.get(key, default)
        if value not in allowed:
            raise self.fail(key, f"must be one of {', '.join(sorted(allowed))}, not {value!r}")
        return str(value)

    def pct(self, key: str) -> Decimal | None:
        value = self.table.get(key)
        return None if value is None else parse_pct(value, f"{self.where}.{key}")


def parse_pct(value: object, where: str) -> Decimal:
    """A percentage written as a decimal string ("9.50"); floats are refused so no rate is ever rounded."""
    if not isinstance(value, str):
        raise RuleSetInvalid(where, f"a rate is a decimal string such as \"1.5\", not {value!r}")
    try:
        pct = Decimal(value)
    except InvalidOperation:
        raise RuleSetInvalid(where, f"{value!r} is not a decimal number") from None
    if not pct.is_finite() or pct < 0:
        raise RuleSetInvalid(where, f"{value!r} is not a rate")
    return pct


def parse_day(value: object, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RuleSetInvalid(where, f"{value!r} is not an ISO date") from None


def parse_rows(rows: object, where: str) -> tuple[RateRow, ...]:
    """``[[date, "pct"], ...]`` or ``[[date, "pct", until], ...]``, no two rows from the same day."""
    if not isinstance(rows, list):
        raise RuleSetInvalid(where, "the rate table is a list of [date, \"pct\"] or [date, \"pct\", until] rows")
    out: list[RateRow] = []
    for i, row in enumerate(rows):
        at = f"{where}[{i}]"
        if not isinstance(row, list) or len(row) not in (2, 3):
            raise RuleSetInvalid(at, "a row is [date, \"pct\"] or [date, \"pct\", until]")
        start = parse_day(row[0], at)
        until = parse_day(row[2], at) if len(row) == 3 else None
        if until is not None and until < start:
            raise RuleSetInvalid(at, "a rate cannot end before it starts")
        out.append(RateRow(start, parse_pct(row[1], at), until))
    out.sort(key=lambda r: r.effective_from)
    if len({r.effective_from for r in out}) != len(out):
        raise RuleSetInvalid(where, "two rates take effect on the same day")
    return tuple(out)


def _rate(r: _Reader) -> Rate:
    source = r.choice("source", RATE_SOURCES)
    rate = Rate(source=source, fixing=r.choice("fixing", FIXINGS, "first_day_late"),
                annual_pct=r.pct("annual_pct"), monthly_pct=r.pct("monthly_pct"),
                margin_pct=r.pct("margin_pct") or Decimal(0),
                table=parse_rows(r.table.get("table", []), f"{r.where}.table"),
                published_by=str(r.table.get("published_by", "")))
    if source == "fixed" and (rate.annual_pct is None) == (rate.monthly_pct is None):
        raise r.fail("source", "a fixed rate names exactly one of annual_pct or monthly_pct")
    return rate


def _rule(where: str, doc: Mapping[str, Any]) -> Rule:
    clock = _Reader(f"{where}.clock", doc.get("clock", {}))
    start = clock.table.get("start")
    if not isinstance(start, list) or not start or not set(start) <= CLOCK_EVENTS:
        raise clock.fail("start", f"names one or more of {', '.join(sorted(CLOCK_EVENTS))}, not {start!r}")
    term = _Reader(f"{where}.term", doc.get("term", {}))
    accrual = _Reader(f"{where}.accrual", doc.get("accrual", {}))
    minimum = _Reader(f"{where}.minimum", doc.get("minimum", {}))
    exempt = _Reader(f"{where}.exempt", doc.get("exempt", {}))
    payees = exempt.table.get("payees", [])
    if not isinstance(payees, list) or not set(payees) <= PAYEE_KINDS:
        raise exempt.fail("payees", f"names payee kinds among {', '.join(sorted(PAYEE_KINDS))}, not {payees!r}")
    stops = exempt.table.get("stops", {})
    if not isinstance(stops, Mapping) or not set(stops.values()) <= STOP_EFFECTS:
        raise exempt.fail("stops", f"maps a reason to one of {', '.join(sorted(STOP_EFFECTS))}")
    waiver = doc.get("waiver_allowed")
    if waiver is not None and not isinstance(waiver, bool):
        raise RuleSetInvalid(f"{where}.waiver_allowed", "is true, false, or left out when the act does not say")
    method = accrual.choice("method", METHODS)
    if method == "monthly" and "monthly_pct" not in doc.get("rate", {}):
        raise accrual.fail("method", "monthly accrual needs rate.monthly_pct")
    return Rule(
        start=tuple(start),
        acceptance_deemed_days=clock.int("acceptance_deemed_days", 0),
        term_days=term.int("days"),
        counting=term.choice("counting", COUNTINGS, "calendar"),
        weekend_grace=term.bool("weekend_grace", False),
        contract_may_extend=term.bool("contract_may_extend", False),
        rate=_rate(_Reader(f"{where}.rate", doc.get("rate", {}))),
        accrual=Accrual(method=method, day_basis=accrual.int("day_basis", 365, minimum=1),
                        period_days=accrual.int("period_days", 30, minimum=1),
                        part_month=accrual.choice("part_month", PART_MONTHS, "prorated"),
                        compound=accrual.bool("compound", False), grace_days=accrual.int("grace_days", 0),
                        max_days=accrual.opt_int("max_days")),
        pay_threshold_minor=minimum.int("pay_threshold_minor", 0),
        floor_per_month_minor=minimum.int("floor_per_month_minor", 0),
        dispute=_dispute(where, doc.get("dispute")),
        improper_notice_days=_Reader(where, doc).opt_int("improper_notice_days"),
        exempt_payees=frozenset(str(p) for p in payees),
        stops={str(k): str(v) for k, v in stops.items()},
        waiver_allowed=waiver,
        interest_claim_required=_Reader(where, doc).bool("interest_claim_required", False),
        improper_notice_counting=_Reader(where, doc).choice("improper_notice_counting", NOTICE_COUNTINGS, "calendar"),
        funds_wait=clock.bool("funds_wait", False),
    )


def _dispute(where: str, table: object) -> Dispute | None:
    if table is None:
        return None
    if not isinstance(table, Mapping):
        raise RuleSetInvalid(f"{where}.dispute", "is a table")
    r = _Reader(f"{where}.dispute", table)
    return Dispute(notice_within_days=r.opt_int("notice_within_days"),
                   notice_by_due_date=r.bool("notice_by_due_date", False),
                   if_resolved_for_agency=r.choice("if_resolved_for_agency", DISPUTE_EFFECTS, "original_due_date"),
                   if_resolved_for_vendor=r.choice("if_resolved_for_vendor", DISPUTE_EFFECTS, "original_due_date"),
                   accrue_days_after_decision=r.int("accrue_days_after_decision", 0))


_RULE_KEYS = ("clock", "term", "rate", "accrual", "minimum", "dispute", "exempt", "improper_notice_days",
              "improper_notice_counting", "waiver_allowed", "interest_claim_required")


def versions_of(name: str, doc: Mapping[str, Any]) -> tuple[RuleSet, ...]:
    """Every version in a rule-set document, oldest first, each merged over the one before it."""
    versions = doc.get("versions")
    if not isinstance(versions, list) or not versions:
        raise RuleSetInvalid(name, "has no [[versions]]")
    out: list[RuleSet] = []
    accumulated: dict[str, Any] = {}
    for i, raw in enumerate(versions):
        where = f"{name}.versions[{i}]"
        if not isinstance(raw, Mapping) or not isinstance(raw.get("version"), str):
            raise RuleSetInvalid(where, "needs a version name")
        accumulated = merge(accumulated, raw)
        base_doc = {k: accumulated[k] for k in _RULE_KEYS if k in accumulated}
        categories = {str(c): _rule(f"{where}.categories.{c}", merge(base_doc, over))
                      for c, over in accumulated.get("categories", {}).items()}
        out.append(RuleSet(name=name, version=raw["version"],
                           effective_from=parse_day(raw.get("effective_from"), f"{where}.effective_from"),
                           title=str(doc.get("title", name)), statute=str(doc.get("statute", "")),
                           base=_rule(where, base_doc), categories=categories,
                           sections={str(k): str(v) for k, v in doc.get("sections", {}).items()}))
    if [v.effective_from for v in out] != sorted({v.effective_from for v in out}):
        raise RuleSetInvalid(name, "versions must take effect on different days, oldest first")
    return tuple(out)
