"""Tolerance policy: blank is zero, percent and absolute, vendor beats category beats default."""

from decimal import Decimal

import pytest

from payments.ap.matching.tolerance import Combine, Tolerance, ToleranceInvalid, ToleranceOverride, TolerancePolicy, Tolerances


def test_a_blank_tolerance_allows_nothing():
    assert Tolerance().allowance(Decimal(1_000_000)) == 0
    assert Tolerance().is_exceeded(100, 101)
    assert not Tolerance().is_exceeded(100, 100)


def test_either_grants_the_larger_allowance_and_both_the_smaller():
    either = Tolerance(pct=Decimal(2), absolute=Decimal(500))
    both = Tolerance(pct=Decimal(2), absolute=Decimal(500), combine=Combine.BOTH)
    # 2% of $100.00 is $2.00; the absolute limit is $5.00
    assert either.limit(10_000) == Decimal(10_500)
    assert both.limit(10_000) == Decimal(10_200)
    # 2% of $1,000.00 is $20.00
    assert either.limit(100_000) == Decimal(102_000)
    assert both.limit(100_000) == Decimal(100_500)


def test_a_percent_only_tolerance_needs_no_absolute_limit():
    assert Tolerance(pct=Decimal("2.5")).limit(Decimal(120)) == Decimal(123)


def test_negative_tolerances_are_refused():
    with pytest.raises(ToleranceInvalid) as err:
        Tolerance(pct=Decimal(-1))
    assert err.value.code == "tolerance_invalid"


def test_vendor_beats_category_beats_default_per_dimension():
    default = Tolerances(price=Tolerance(pct=Decimal(1)), quantity=Tolerance(pct=Decimal(1)))
    furniture = ToleranceOverride(price=Tolerance(pct=Decimal(5)), quantity=Tolerance(pct=Decimal(10)))
    strict_vendor = ToleranceOverride(price=Tolerance())  # zero price tolerance for this vendor
    policy = TolerancePolicy(
        "v1", default, by_category={"furniture": furniture}, by_vendor={"ven_strict": strict_vendor}
    )

    assert policy.resolve("ven_any", None).price.pct == 1
    assert policy.resolve("ven_any", "furniture").price.pct == 5
    strict = policy.resolve("ven_strict", "furniture")
    assert strict.price == Tolerance()  # the vendor's explicit zero wins
    assert strict.quantity.pct == 10  # not overridden by the vendor: the category's
    assert strict.max_total == Tolerance()  # set nowhere: zero


def test_a_policy_is_read_from_plain_config_data():
    policy = TolerancePolicy.from_mapping(
        {
            "version": "2026-01",
            "duplicate_window_days": 10,
            "default": {"price": {"pct": "2", "absolute": 500}},
            "categories": {"furniture": {"quantity": {"pct": 0.1}}},
            "vendors": {"ven_1": {"price": {"pct": "0", "combine": "both"}}},
        }
    )
    assert policy.version == "2026-01" and policy.duplicate_window_days == 10
    assert policy.default.price == Tolerance(pct=Decimal(2), absolute=Decimal(500))
    assert policy.resolve(None, "furniture").quantity.pct == Decimal("0.1")
    assert policy.resolve("ven_1", None).price.combine is Combine.BOTH


@pytest.mark.parametrize(
    "doc",
    [
        {},
        {"version": "x", "default": {"colour": {}}},
        {"version": "x", "default": {"price": {"percent": 2}}},
        {"version": "x", "default": {"price": {"pct": "abc"}}},
        {"version": "x", "default": {"price": {"pct": -1}}},
        {"version": ""},
    ],
)
def test_a_malformed_policy_is_refused(doc):
    with pytest.raises(ToleranceInvalid):
        TolerancePolicy.from_mapping(doc)
