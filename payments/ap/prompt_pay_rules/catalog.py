"""The shipped rule sets, read once from the TOML files packaged beside this module."""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import lru_cache
from importlib import resources

from payments.ap.prompt_pay_rules.model import RuleSet, versions_of
from payments.errors import InvalidInput, NotFound


class UnknownRuleSet(NotFound):
    """No shipped rule set has that name, or it has no such version."""

    code = "unknown_prompt_pay_rule_set"

    def __init__(self, name: str, version: str | None = None) -> None:
        known = ", ".join(rule_set_names())
        what = f"{name!r} version {version!r}" if version else repr(name)
        super().__init__(f"There is no prompt-payment rule set {what}; the rule sets are: {known}.",
                         name=name, version=version)


class RuleSetNotInForce(InvalidInput):
    """The day asked about is before the rule set's first version took effect."""

    code = "prompt_pay_rule_set_not_in_force"

    def __init__(self, name: str, day: dt.date, first: dt.date) -> None:
        super().__init__(f"Prompt-payment rule set {name!r} takes effect on {first.isoformat()}, after "
                         f"{day.isoformat()}.", name=name, day=day.isoformat())


_PACKAGE = "payments.ap.prompt_pay_rules"


@lru_cache(maxsize=1)
def rule_set_names() -> tuple[str, ...]:
    """The names of the shipped rule sets (their file names without ``.toml``), sorted."""
    return tuple(sorted(p.name[:-5] for p in resources.files(_PACKAGE).iterdir() if p.name.endswith(".toml")))


@lru_cache(maxsize=None)
def all_versions(name: str) -> tuple[RuleSet, ...]:
    """Every version of the rule set ``name``, oldest first."""
    if name not in rule_set_names():
        raise UnknownRuleSet(name)
    with resources.files(_PACKAGE).joinpath(f"{name}.toml").open("rb") as f:
        return versions_of(name, tomllib.load(f))


def load_rule_set(name: str, version: str | None = None) -> RuleSet:
    """The named version of a rule set, or its newest version when ``version`` is None."""
    versions = all_versions(name)
    if version is None:
        return versions[-1]
    for v in versions:
        if v.version == version:
            return v
    raise UnknownRuleSet(name, version)


def rule_set_on(name: str, day: dt.date) -> RuleSet:
    """The version of ``name`` in force on ``day`` (the last one that took effect on or before it)."""
    versions = all_versions(name)
    in_force = [v for v in versions if v.effective_from <= day]
    if not in_force:
        raise RuleSetNotInForce(name, day, versions[0].effective_from)
    return in_force[-1]
