"""Form 1099-NEC: what each 1099 vendor was paid in a calendar year, and who must be reported.

* **By payment date**: a payment counts in the calendar year of its effective date (cash basis, as the IRS's
  instructions for Forms 1099-MISC and 1099-NEC count "payments made" in the year).
* **Returned payments netted**: a payment the bank returned never reached the payee and counts nothing; the
  payment that later replaces it counts on its own date.
* **Threshold by year**: nonemployee compensation of at least the year's threshold is reported: $600 for payments
  through 2025, $2,000 for payments from 1 January 2026 (Pub. L. 119-21, the 2025 act, amending IRC 6041(a) and
  6041A), indexed for inflation after 2026: the policy's ``[form_1099] thresholds`` table carries each year.
* **TINs masked** everywhere but the filing file: a summary shows ``*****6789``.
* **Pre-filing report**: every 1099 vendor over the threshold with no TIN on file (a filing without one draws a
  penalty notice and backup withholding), or whose TIN the IRS's TIN Matching program said does not match
  (``tin_mismatch``, payments/reporting/tin_matching.py): both are held out of the filing file until resolved.

The read port returns one ``VendorYear`` per 1099 vendor paid in the year; the TIN comes in full only when the
caller asks for the filing file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from payments.errors import InvalidInput


class ThresholdMissing(InvalidInput):
    code = "form_1099_threshold_missing"

    def __init__(self, year: int) -> None:
        super().__init__(f"no 1099-NEC reporting threshold for tax year {year}: add it to [form_1099] thresholds")


@dataclass(frozen=True, slots=True)
class VendorYear:
    """One 1099 vendor's payments in a calendar year, as the read port finds them."""

    vendor_id: str
    name: str
    is_individual: bool
    tin: str | None  # the full nine digits, only when the filing file is asked for; else None
    tin_last4: str | None
    address: Mapping[str, str]
    paid_minor: int  # payments sent or settled in the year (returned ones count nothing)
    payments: int
    currency: str = "USD"


class Form1099Source(Protocol):
    def vendor_years(self, year: int, *, with_tin: bool) -> Iterable[VendorYear]:
        """Every vendor flagged 1099 with a payment dated in ``year`` that was not returned, ordered by vendor id;
        ``with_tin`` decrypts the TIN (an audited reveal is the caller's business)."""
        ...


def threshold_minor(year: int, thresholds: Mapping[int, int]) -> int:
    """The threshold in force for ``year``: the entry of the latest year not after it."""
    years = [y for y in thresholds if y <= year]
    if not years:
        raise ThresholdMissing(year)
    return thresholds[max(years)]


def mask(tin: str | None, last4: str | None) -> str | None:
    return f"*****{last4}" if last4 else ("*****" + tin[-4:] if tin else None)


@dataclass(frozen=True, slots=True)
class Form1099Year:
    year: int
    threshold_minor: int
    reportable: tuple[VendorYear, ...]
    below_threshold: tuple[VendorYear, ...]
    missing_tin: tuple[VendorYear, ...] = field(default=())
    # Held out of the filing file: an IRS TIN Matching mismatch on the TIN the vendor has (payments/reporting/
    # tin_matching.py), by vendor id, with the problem in words.
    tin_mismatch: Mapping[str, str] = field(default_factory=dict)

    @property
    def filed(self) -> tuple[VendorYear, ...]:
        """What goes in the filing file: reportable, with a TIN, and not held for a TIN mismatch."""
        return tuple(v for v in self.reportable if v.tin_last4 and v.vendor_id not in self.tin_mismatch)

    def summary(self) -> dict[str, object]:
        """What a person reads: counts, totals and every vendor with its TIN masked."""
        def row(v: VendorYear) -> dict[str, object]:
            return {"vendor_id": v.vendor_id, "name": v.name, "tin": mask(v.tin, v.tin_last4),
                    "paid_minor": v.paid_minor, "payments": v.payments}

        return {"year": self.year, "threshold_minor": self.threshold_minor,
                "reportable": [row(v) for v in self.reportable],
                "reportable_total_minor": sum(v.paid_minor for v in self.reportable),
                "below_threshold": [row(v) for v in self.below_threshold],
                "missing_tin": [row(v) for v in self.missing_tin],
                "tin_mismatch": [row(v) | {"hold": "tin_mismatch", "problem": self.tin_mismatch[v.vendor_id]}
                                 for v in self.reportable if v.vendor_id in self.tin_mismatch]}


def form_1099_year(source: Form1099Source, year: int, thresholds: Mapping[int, int], *,
                   with_tin: bool = False, tin_checks: Mapping[str, Any] | None = None) -> Form1099Year:
    """``disburse reports 1099 --year Y``: who is reported for ``year`` and who cannot be until a TIN is on file."""
    limit = threshold_minor(year, thresholds)
    rows: Sequence[VendorYear] = list(source.vendor_years(year, with_tin=with_tin))
    reportable = tuple(v for v in rows if v.paid_minor >= limit)
    checks = tin_checks or {}  # vendor id -> tin_matching.TinCheck, the latest result recorded
    held = {v.vendor_id: checks[v.vendor_id].problem() for v in reportable
            if v.vendor_id in checks and checks[v.vendor_id].blocks(v.tin_last4)}
    return Form1099Year(year, limit, reportable, tuple(v for v in rows if v.paid_minor < limit),
                        tuple(v for v in reportable if not v.tin_last4), held)


def calendar_year(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)
