"""The shipped rule sets are data: named, versioned, effective-dated, and a malformed one is refused precisely."""

from datetime import date

import pytest

from payments.ap.prompt_pay_rules import (
    RuleSetInvalid,
    RuleSetNotInForce,
    UnknownRuleSet,
    load_rule_set,
    rule_set_names,
    rule_set_on,
)
from payments.ap.prompt_pay_rules.model import versions_of


def test_every_shipped_rule_set_loads_and_names_its_statute():
    assert rule_set_names() == ("federal", "florida_local", "new_york_state", "texas", "washington")
    for name in rule_set_names():
        rules = load_rule_set(name)
        assert rules.statute and rules.sections, name


def test_versions_are_chosen_by_name_or_by_the_day_they_are_in_force():
    assert load_rule_set("florida_local", "fs-218").version == "fs-218"
    assert rule_set_on("florida_local", date(2021, 6, 30)).version == "fs-218"
    assert rule_set_on("florida_local", date(2021, 7, 1)).version == "fs-218-2021.07"
    with pytest.raises(UnknownRuleSet) as err:
        load_rule_set("ohio")
    assert err.value.code == "unknown_prompt_pay_rule_set" and "federal" in str(err.value)
    with pytest.raises(UnknownRuleSet):
        load_rule_set("texas", "tx-1999")
    with pytest.raises(RuleSetNotInForce):
        rule_set_on("texas", date(1999, 12, 31))


BASE = {"clock": {"start": ["invoice_received"]}, "term": {"days": 30},
        "rate": {"source": "fixed", "monthly_pct": "1"}, "accrual": {"method": "monthly"}}


@pytest.mark.parametrize(("change", "where"), [
    ({"rate": {"source": "fixed", "monthly_pct": 1.5}}, "x.versions[0].rate.monthly_pct"),
    ({"term": {"days": -1}}, "x.versions[0].term.days"),
    ({"clock": {"start": ["invoice_mailed"]}}, "x.versions[0].clock.start"),
    ({"accrual": {"method": "weekly"}}, "x.versions[0].accrual.method"),
    ({"rate": {"source": "published", "table": [["2026-01-01", "4"], ["2026-01-01", "5"]]},
      "accrual": {"method": "simple_daily"}},
     "x.versions[0].rate.table"),
])
def test_a_malformed_rule_set_is_refused_naming_the_key_and_why(change, where):
    with pytest.raises(RuleSetInvalid) as err:
        versions_of("x", {"versions": [{"version": "1", "effective_from": "2026-01-01", **BASE, **change}]})
    assert err.value.code == "prompt_pay_rule_set_invalid" and where in str(err.value)
