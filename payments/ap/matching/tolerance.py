"""Match tolerances: how far an invoice may exceed the PO, receipts and inspection before it is held.

A tolerance has a percent limit and an absolute limit. A limit that is not set is ZERO: a blank tolerance
lets nothing through, so forgetting to configure one can only hold invoices, never pay too much. How the
two limits combine is explicit (``Combine``); the default, ``EITHER``, grants the larger of the two
allowances, so a percent-only tolerance works without also setting an absolute one.

Resolution per dimension: the vendor's override beats the PO line category's, which beats the default. An
override replaces the whole ``Tolerance`` of a dimension (percent, absolute and mode together) so two
half-tolerances from different levels are never spliced into one nobody configured.

Every policy carries a version; every match result records it, so a decision can be replayed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from payments.errors import InvalidInput

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


class Combine(enum.Enum):
    """How a percent limit and an absolute limit combine."""

    EITHER = "either"
    """Within tolerance if within either limit: the larger allowance applies."""
    BOTH = "both"
    """Within tolerance only if within both limits: the smaller allowance applies."""


class ToleranceInvalid(InvalidInput):
    """A tolerance is negative or a policy document is malformed."""

    code = "tolerance_invalid"


@dataclass(frozen=True, slots=True)
class Tolerance:
    """Allowed excess over an expected value: ``pct`` percent of it and/or ``absolute`` in its unit."""

    pct: Decimal = _ZERO
    absolute: Decimal = _ZERO
    combine: Combine = Combine.EITHER

    def __post_init__(self) -> None:
        if self.pct < _ZERO or self.absolute < _ZERO:
            raise ToleranceInvalid(
                f"A tolerance may not be negative (got {self.pct}% and {self.absolute}).",
                pct=str(self.pct),
                absolute=str(self.absolute),
            )

    def allowance(self, expected: Decimal | int) -> Decimal:
        """How much ``actual`` may exceed ``expected``. Exact: it is compared, never paid, so never rounded."""
        by_pct = abs(Decimal(expected)) * self.pct / _HUNDRED
        if self.combine is Combine.EITHER:
            return max(by_pct, self.absolute)
        return min(by_pct, self.absolute)

    def limit(self, expected: Decimal | int) -> Decimal:
        return Decimal(expected) + self.allowance(expected)

    def is_exceeded(self, expected: Decimal | int, actual: Decimal | int) -> bool:
        if actual <= expected:
            return False  # the allowance is never negative; the common, clean case skips computing it
        return Decimal(actual) > self.limit(expected)


ZERO_TOLERANCE = Tolerance()


@dataclass(frozen=True, slots=True)
class Tolerances:
    """One tolerance per dimension matching checks. Units of ``absolute`` are given per field."""

    price: Tolerance = ZERO_TOLERANCE
    """Unit price over the PO's; absolute in minor units per unit."""
    quantity: Tolerance = ZERO_TOLERANCE
    """Cumulative billed quantity over ordered/received/accepted; absolute in units."""
    line_amount: Tolerance = ZERO_TOLERANCE
    """Cumulative billed amount of a PO line over its ordered amount; absolute in minor units."""
    max_total: Tolerance = ZERO_TOLERANCE
    """Cumulative billed amount of a PO over its ceiling; absolute in minor units."""


@dataclass(frozen=True, slots=True)
class ToleranceOverride:
    """Per-dimension replacements; None inherits from the next level down."""

    price: Tolerance | None = None
    quantity: Tolerance | None = None
    line_amount: Tolerance | None = None
    max_total: Tolerance | None = None


_DIMENSIONS = tuple(f.name for f in fields(Tolerances))


@dataclass(frozen=True)
class TolerancePolicy:
    """A versioned set of tolerances: defaults, per-category and per-vendor overrides.

    ``duplicate_window_days`` lives here too: it is the date tolerance of the "same vendor, same amount,
    nearby date" duplicate signal, and keeping it under the same version makes a match decision replayable
    from one version string.
    """

    version: str
    default: Tolerances = Tolerances()
    by_category: Mapping[str, ToleranceOverride] = field(default_factory=dict)
    by_vendor: Mapping[str, ToleranceOverride] = field(default_factory=dict)
    duplicate_window_days: int = 7
    _cache: dict[tuple[str | None, str | None], Tolerances] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not self.version:
            raise ToleranceInvalid("A tolerance policy needs a version.")
        if self.duplicate_window_days < 0:
            raise ToleranceInvalid("The duplicate window may not be negative.")

    def resolve(self, vendor_id: str | None, category: str | None) -> Tolerances:
        """The tolerances for one PO line: vendor beats category beats default, per dimension."""
        key = (vendor_id, category)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        layers = [
            self.by_vendor.get(vendor_id) if vendor_id is not None else None,
            self.by_category.get(category) if category is not None else None,
        ]
        chosen: dict[str, Tolerance] = {}
        for name in _DIMENSIONS:
            picked = getattr(self.default, name)
            for layer in layers:
                if layer is not None and getattr(layer, name) is not None:
                    picked = getattr(layer, name)
                    break
            chosen[name] = picked
        resolved = Tolerances(**chosen)
        self._cache[key] = resolved
        return resolved

    @classmethod
    def from_mapping(cls, doc: Mapping[str, Any]) -> TolerancePolicy:
        """Build a policy from plain data (a TOML table), e.g.::

            version = "2026-01"
            duplicate_window_days = 7
            [default.price]      pct = "2"  absolute = "500"
            [categories.furniture.quantity]  pct = "5"
            [vendors.ven_01J.price]  pct = "0"  absolute = "0"

        Numbers should be strings or integers; a float is read through ``str`` so 0.1 stays 0.1.
        """
        try:
            return cls(
                version=str(doc["version"]),
                default=Tolerances(**_read_dimensions(doc.get("default", {}))),
                by_category={
                    str(k): ToleranceOverride(**_read_dimensions(v)) for k, v in doc.get("categories", {}).items()
                },
                by_vendor={
                    str(k): ToleranceOverride(**_read_dimensions(v)) for k, v in doc.get("vendors", {}).items()
                },
                duplicate_window_days=int(doc.get("duplicate_window_days", 7)),
            )
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise ToleranceInvalid(f"The tolerance policy is malformed: {exc!r}.") from exc


def _read_dimensions(table: Mapping[str, Any]) -> dict[str, Tolerance]:
    unknown = set(table) - set(_DIMENSIONS)
    if unknown:
        raise ValueError(f"unknown tolerance dimensions {sorted(unknown)}")
    return {name: _read_tolerance(spec) for name, spec in table.items()}


def _read_tolerance(spec: Mapping[str, Any]) -> Tolerance:
    unknown = set(spec) - {"pct", "absolute", "combine"}
    if unknown:
        raise ValueError(f"unknown tolerance keys {sorted(unknown)}")
    return Tolerance(
        pct=Decimal(str(spec.get("pct", 0))),
        absolute=Decimal(str(spec.get("absolute", 0))),
        combine=Combine(spec.get("combine", Combine.EITHER.value)),
    )
