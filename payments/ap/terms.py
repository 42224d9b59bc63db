"""Vendor payment terms: "2/10 net 30", "net 45", "1.5/15 net 30", "due on receipt".

Terms are parsed once into ``PaymentTerms`` and stored as their three numbers; the text is kept only to show
people. The discount is a percentage of the invoice amount, rounded half-up once to minor units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from payments.errors import InvalidInput

_HUNDRED = Decimal(100)
# A 360-day year is the convention 5 CFR 1315.17 uses for the annualized discount rate.
_DAYS_PER_YEAR = Decimal(360)


class TermsNotUnderstood(InvalidInput):
    """The terms text is not one of the forms we read, or its numbers contradict each other."""

    code = "terms_not_understood"

    def __init__(self, text: str, why: str) -> None:
        super().__init__(f"Payment terms {text!r} not understood: {why}.", text=text, why=why)


@dataclass(frozen=True, slots=True)
class PaymentTerms:
    """An optional early-payment discount and the net period, both counted in days from a base date."""

    net_days: int
    discount_pct: Decimal = Decimal(0)
    discount_days: int = 0

    @property
    def has_discount(self) -> bool:
        return self.discount_pct > 0

    def discount_date(self, base: date) -> date | None:
        """Last day on which the discount may be taken, or None when the terms offer none."""
        return base + timedelta(days=self.discount_days) if self.has_discount else None

    def net_due_date(self, base: date) -> date:
        return base + timedelta(days=self.net_days)

    def discount_minor(self, amount_minor: int) -> int:
        """The discount on ``amount_minor``, rounded half-up to a whole minor unit."""
        if not self.has_discount:
            return 0
        exact = Decimal(amount_minor) * self.discount_pct / _HUNDRED
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def discount_if_paid_on(self, amount_minor: int, base: date, paid_on: date) -> int:
        """The discount earned by paying on ``paid_on``: the full discount by the discount date, else 0."""
        last = self.discount_date(base)
        if last is None or paid_on > last:
            return 0
        return self.discount_minor(amount_minor)

    def annualized_discount_rate(self) -> Decimal:
        """The yearly rate the discount is worth (5 CFR 1315.17): d/(100-d) x 360/(net days - discount days).

        A fraction, not a percent (0.3673 for 2/10 net 30). ``Infinity`` when the discount lasts the whole
        net period, since paying on the discount date then costs nothing.
        """
        if not self.has_discount:
            return Decimal(0)
        days_gained = self.net_days - self.discount_days
        if days_gained <= 0:
            return Decimal("Infinity")
        return self.discount_pct / (_HUNDRED - self.discount_pct) * _DAYS_PER_YEAR / Decimal(days_gained)

    def describe(self) -> str:
        if self.net_days == 0 and not self.has_discount:
            return "due on receipt"
        net = f"net {self.net_days}"
        if not self.has_discount:
            return net
        return f"{format(self.discount_pct.normalize(), 'f')}/{self.discount_days} {net}"


_NUMBER = r"\d+(?:\.\d+)?"
_TERMS = re.compile(
    rf"""^
    (?:(?P<pct>{_NUMBER})\s*(?:%\s*/?|/)\s*(?P<ddays>\d+)\s*(?:days?)?\s*[,;]?\s*)?   # "2/10", "2% 10"
    (?:net|n)\s*/?\s*(?P<net>\d+)\s*(?:days?)?                                         # "net 30", "n/30"
    $""",
    re.IGNORECASE | re.VERBOSE,
)
_ON_RECEIPT = re.compile(r"^(?:due\s+(?:up)?on\s+receipt|on\s+receipt|net\s*0|cod|c\.o\.d\.)$", re.IGNORECASE)


@lru_cache(maxsize=4096)
def parse_terms(text: str) -> PaymentTerms:
    """Read terms text; raise ``TermsNotUnderstood`` rather than guess. Cached: vendors reuse a few texts."""
    cleaned = " ".join(text.split())
    if _ON_RECEIPT.match(cleaned):
        return PaymentTerms(net_days=0)
    m = _TERMS.match(cleaned)
    if m is None:
        raise TermsNotUnderstood(text, 'expected a form like "2/10 net 30", "net 45" or "due on receipt"')
    net_days = int(m["net"])
    if m["pct"] is None:
        return PaymentTerms(net_days=net_days)
    pct, discount_days = Decimal(m["pct"]), int(m["ddays"])
    if not Decimal(0) < pct < _HUNDRED:
        raise TermsNotUnderstood(text, "the discount must be more than 0% and less than 100%")
    if discount_days > net_days:
        raise TermsNotUnderstood(text, "the discount period ends after the net due date")
    return PaymentTerms(net_days=net_days, discount_pct=pct, discount_days=discount_days)
