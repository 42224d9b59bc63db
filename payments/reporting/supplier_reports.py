"""Supplier performance and local-vendor utilization: two manager reports over a period. Pure.

* **Supplier performance** (per vendor, and in total): of the invoices dated in the period, how many were held and
  why (each hold kind once per invoice, released or not: a hold that was raised is a finding about the invoice),
  duplicates caught (``duplicate_suspected``) and price variances (``price``, ``amount_ordered``); credit memos
  dated in the period (count and amount, and their share of what was invoiced); payments that left in the period and
  how many the vendor's bank returned, with the return rate; notifications of change (NOCs) received in the period.
* **Local-vendor utilization**: payments dated in the period that left and were not returned, and the share (by
  amount and count) to local vendors. *Local* is the agency's definition (``[local_vendors]``): a vendor with an
  address whose ``postal_code`` starts with one of ``postal_code_prefixes`` or whose ``state`` is one of
  ``states``, or holding a certification of one of ``certifications`` (a local-business certification) **valid on
  the payment date**. The reason each vendor counts is given.

Rates are decimal strings to four places, never floats; amounts are minor units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from payments.reporting.checkbook import PaidItem
from payments.reporting.manager_reports import Certification, _rate

DUPLICATE_HOLDS = frozenset({"duplicate_suspected"})
PRICE_HOLDS = frozenset({"price", "amount_ordered"})


@dataclass(frozen=True, slots=True)
class SupplierInvoice:
    invoice_id: str
    vendor_id: str
    invoice_date: dt.date
    total_minor: int
    holds: frozenset[str] = frozenset()  # every hold kind ever raised on it


@dataclass(frozen=True, slots=True)
class SupplierEvent:
    """A credit memo (``credit``), a payment that left (``payment``), a return of one (``return``) or a NOC."""

    kind: str
    vendor_id: str
    on: dt.date
    amount_minor: int = 0
    ref: str = ""


class SupplierSource(Protocol):
    def supplier_invoices(self, since: dt.date, until: dt.date) -> Iterable[SupplierInvoice]:
        """Invoices dated in [since, until], not cancelled, with every hold kind raised on each."""
        ...

    def supplier_events(self, since: dt.date, until: dt.date) -> Iterable[SupplierEvent]:
        """Credit memos, payments that left, returns and NOCs dated in [since, until]."""
        ...


def _vendor_row(vendor_id: str) -> dict[str, Any]:
    return {"vendor_id": vendor_id, "invoices": 0, "invoiced_minor": 0, "held": 0, "holds_by_kind": {},
            "duplicates_caught": 0, "price_variances": 0, "credit_memos": 0, "credited_minor": 0, "payments": 0,
            "returned": 0, "nocs": 0}


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    row["holds_by_kind"] = dict(sorted(row["holds_by_kind"].items()))
    return {**row, "hold_rate": _rate(row["held"], row["invoices"]),
            "duplicate_rate": _rate(row["duplicates_caught"], row["invoices"]),
            "credit_rate": _rate(row["credited_minor"], row["invoiced_minor"]),
            "return_rate": _rate(row["returned"], row["payments"])}


def supplier_performance(source: SupplierSource, start: dt.date, end: dt.date) -> dict[str, Any]:
    vendors: dict[str, dict[str, Any]] = {}
    total = _vendor_row("")
    for inv in source.supplier_invoices(start, end):
        for row in (vendors.setdefault(inv.vendor_id, _vendor_row(inv.vendor_id)), total):
            row["invoices"] += 1
            row["invoiced_minor"] += inv.total_minor
            row["held"] += bool(inv.holds)
            for kind in inv.holds:
                row["holds_by_kind"][kind] = row["holds_by_kind"].get(kind, 0) + 1
            row["duplicates_caught"] += bool(inv.holds & DUPLICATE_HOLDS)
            row["price_variances"] += bool(inv.holds & PRICE_HOLDS)
    counters = {"credit": ("credit_memos", "credited_minor"), "payment": ("payments", None),
                "return": ("returned", None), "noc": ("nocs", None)}
    for ev in source.supplier_events(start, end):
        count, amount = counters[ev.kind]
        for row in (vendors.setdefault(ev.vendor_id, _vendor_row(ev.vendor_id)), total):
            row[count] += 1
            if amount:
                row[amount] += ev.amount_minor
    total.pop("vendor_id")
    return {"from": start.isoformat(), "to": end.isoformat(), "total": _finish(total),
            "by_vendor": [_finish(v) for _, v in sorted(vendors.items())]}


@dataclass(frozen=True, slots=True)
class LocalRule:
    """What makes a vendor local (``[local_vendors]``); an empty rule makes no one local."""

    postal_code_prefixes: tuple[str, ...] = ()
    states: frozenset[str] = frozenset()
    certifications: frozenset[str] = frozenset()

    def why_local(self, addresses: Sequence[Mapping[str, str]], certs: Sequence[Certification],
                  on: dt.date) -> str | None:
        """Why the vendor counts as local on ``on`` (one phrase), or None."""
        for a in addresses:
            postal = str(a.get("postal_code", "")).strip()
            if postal and any(postal.startswith(p) for p in self.postal_code_prefixes):
                return f"address postal code {postal}"
            state = str(a.get("state", "")).strip().upper()
            if state and state in self.states:
                return f"address in {state}"
        for c in certs:
            if c.kind in self.certifications and c.valid_from <= on <= c.valid_to:
                return f"{c.kind} certification valid on the payment date"
        return None


@dataclass(frozen=True, slots=True)
class VendorPlace:
    addresses: tuple[Mapping[str, str], ...] = ()
    certifications: tuple[Certification, ...] = field(default=())


class LocalSource(Protocol):
    def paid_items(self) -> Iterator[PaidItem]:
        """As the checkbook's port: every invoice of every payment that left."""
        ...

    def vendor_places(self) -> Mapping[str, VendorPlace]:
        """Each vendor's addresses and certifications, by vendor id."""
        ...


def local_vendor_report(source: LocalSource, rule: LocalRule, start: dt.date, end: dt.date) -> dict[str, Any]:
    places = source.vendor_places()
    total_minor, local_minor = 0, 0
    payments: set[str] = set()
    local_payments: set[str] = set()
    local_vendors: dict[str, dict[str, Any]] = {}
    for item in source.paid_items():
        if item.payment_status == "returned" or not start <= item.payment_date <= end:
            continue
        total_minor += item.amount_minor
        payments.add(item.payment_id)
        place = places.get(item.vendor_id, VendorPlace())
        why = rule.why_local(place.addresses, place.certifications, item.payment_date)
        if why is None:
            continue
        local_minor += item.amount_minor
        local_payments.add(item.payment_id)
        v = local_vendors.setdefault(item.vendor_id, {"vendor_id": item.vendor_id, "paid_minor": 0, "why": why})
        v["paid_minor"] += item.amount_minor
    return {"from": start.isoformat(), "to": end.isoformat(), "paid_minor": total_minor, "payments": len(payments),
            "local_paid_minor": local_minor, "local_payments": len(local_payments),
            "amount_share": _rate(local_minor, total_minor), "count_share": _rate(len(local_payments), len(payments)),
            "definition": {"postal_code_prefixes": list(rule.postal_code_prefixes), "states": sorted(rule.states),
                           "certifications": sorted(rule.certifications)},
            "local_vendors": sorted(local_vendors.values(), key=lambda v: (-v["paid_minor"], v["vendor_id"]))}
