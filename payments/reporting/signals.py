"""Assist signals beyond split purchases: each one sentence with its evidence, for a person to look at twice. Pure.

They never decide and never hold a payment. Each ``Signal`` names its kind, the object it is about (vendor,
bank account, invoice or payment), the facts it rests on (``evidence``) and a sentence saying why. Its ``key`` is
a digest of the kind, the subject and the evidence: a dismissal is recorded against the key, so a dismissed
signal does not come back while the facts are the same, and comes back when they change (a third vendor on the
shared account, another payment).

The signals (issue 16), with the thresholds in ``SignalPolicy``:

* ``shared_bank_account``: one bank account (same routing and number) on two or more vendors;
* ``paid_soon_after_creation``: a payment within ``new_vendor_days`` of the vendor's creation;
* ``paid_soon_after_bank_change``: a payment within ``bank_change_days`` of a bank account that replaced another
  (a rejected change is no change);
* ``bank_change_after_contact_change``: a new bank account within ``contact_change_days`` after a contact change;
* ``just_under_threshold``: an invoice within ``under_band_pct`` percent below an approval threshold;
* ``round_amount``: an invoice of whole thousands of dollars from a vendor whose other invoices (at least
  ``round_min_history``) are rarely round (under ``round_usual_share``);
* ``invoice_number_reused``: one invoice number at two vendors;
* ``invoice_number_out_of_sequence``: an invoice numbered below one the vendor dated at least
  ``sequence_grace_days`` earlier (same prefix; invoices written days apart may be dated out of order);
* ``same_amount_same_day``: the same amount paid on the same day to two vendors;
* ``benford``: a vendor with at least ``benford_min_invoices`` invoices whose first digits are far from Benford's
  law: Pearson's chi-square over the nine digits above ``benford_critical`` (8 degrees of freedom; 26.12 is the
  0.1% level), the statistic shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ledger.money import format_minor
from payments.reporting.signal_facts import SignalFacts


@dataclass(frozen=True, slots=True)
class SignalPolicy:
    thresholds_minor: tuple[int, ...] = (2_500_000,)
    currency: str = "USD"
    new_vendor_days: int = 30
    bank_change_days: int = 30
    contact_change_days: int = 30
    under_band_pct: int = 5
    round_unit_minor: int = 100_000  # whole thousands of dollars
    round_min_history: int = 5
    round_usual_share: float = 0.2
    sequence_grace_days: int = 7  # invoices written a few days apart may be dated out of order
    benford_min_invoices: int = 100
    benford_critical: float = 26.12


@dataclass(frozen=True, slots=True)
class Signal:
    kind: str
    subject_type: str
    subject_id: str
    vendor_ids: tuple[str, ...]
    on: dt.date
    evidence: Mapping[str, Any]
    explanation: str

    @property
    def key(self) -> str:
        canonical = json.dumps([self.kind, self.subject_id, self.evidence], sort_keys=True, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()[:32]

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "signal": self.kind, "subject_type": self.subject_type, "subject_id": self.subject_id,
                "vendor_ids": list(self.vendor_ids), "date": self.on.isoformat(), "evidence": dict(self.evidence),
                "explanation": self.explanation}


def _money(minor: int, currency: str) -> str:
    return format_minor(minor, currency)


def shared_bank_accounts(f: SignalFacts, p: SignalPolicy) -> Iterator[Signal]:
    by_print: dict[str, list[Any]] = defaultdict(list)
    for a in f.bank_accounts:
        by_print[a.fingerprint].append(a)
    for accounts in by_print.values():
        vendors = sorted({a.vendor_id for a in accounts})
        if len(vendors) < 2:
            continue
        for a in sorted(accounts, key=lambda a: a.vendor_id):
            others = [v for v in vendors if v != a.vendor_id]
            yield Signal("shared_bank_account", "vendor", a.vendor_id, tuple(vendors), a.created_on,
                         {"account_id": a.account_id, "other_vendors": others},
                         f"Vendor {a.vendor_id}'s bank account {a.account_id} is also on file for "
                         f"{', '.join(others)}.")


def paid_soon(f: SignalFacts, p: SignalPolicy) -> Iterator[Signal]:
    created = {v.vendor_id: v.created_on for v in f.vendors}
    changes: dict[str, list[Any]] = defaultdict(list)
    for a in sorted(f.bank_accounts, key=lambda a: (a.vendor_id, a.created_on, a.account_id)):
        if a.status != "rejected":  # a refused change never took effect: no payment followed it
            changes[a.vendor_id].append(a)
    for pay in f.payments:
        born = created.get(pay.vendor_id)
        if born is not None and 0 <= (pay.on - born).days <= p.new_vendor_days:
            yield Signal("paid_soon_after_creation", "payment", pay.payment_id, (pay.vendor_id,), pay.on,
                         {"vendor_created": born.isoformat(), "days": (pay.on - born).days,
                          "amount_minor": pay.amount_minor},
                         f"Payment {pay.payment_id} of {_money(pay.amount_minor, p.currency)} went to vendor "
                         f"{pay.vendor_id} {(pay.on - born).days} days after the vendor was created.")
        for a in changes[pay.vendor_id][1:]:  # the first account is the vendor's own setting-up, not a change
            days = (pay.on - a.created_on).days
            if 0 <= days <= p.bank_change_days:
                yield Signal("paid_soon_after_bank_change", "payment", pay.payment_id, (pay.vendor_id,), pay.on,
                             {"account_id": a.account_id, "changed_on": a.created_on.isoformat(), "days": days,
                              "amount_minor": pay.amount_minor},
                             f"Payment {pay.payment_id} of {_money(pay.amount_minor, p.currency)} went to vendor "
                             f"{pay.vendor_id} {days} days after its bank account changed to {a.account_id}.")


def bank_after_contact(f: SignalFacts, p: SignalPolicy) -> Iterator[Signal]:
    contacts: dict[str, list[Any]] = defaultdict(list)
    for c in f.contact_changes:
        contacts[c.vendor_id].append(c)
    firsts: dict[str, str] = {}
    for a in sorted(f.bank_accounts, key=lambda a: (a.created_on, a.account_id)):
        firsts.setdefault(a.vendor_id, a.account_id)
    for a in f.bank_accounts:
        if firsts[a.vendor_id] == a.account_id or a.status == "rejected":
            continue
        for c in contacts[a.vendor_id]:
            days = (a.created_on - c.on).days
            if 0 <= days <= p.contact_change_days:
                yield Signal("bank_change_after_contact_change", "bank_account", a.account_id, (a.vendor_id,),
                             a.created_on, {"contact_change_id": c.change_id, "contact_changed_on": c.on.isoformat(),
                                            "days": days},
                             f"Vendor {a.vendor_id}'s bank account changed to {a.account_id} {days} days after its "
                             f"contact details changed ({c.change_id}).")


def amount_signals(f: SignalFacts, p: SignalPolicy) -> Iterator[Signal]:
    by_vendor: dict[str, list[Any]] = defaultdict(list)
    for inv in f.invoices:
        by_vendor[inv.vendor_id].append(inv)
    for inv in f.invoices:
        for t in p.thresholds_minor:
            if t * (100 - p.under_band_pct) <= inv.amount_minor * 100 < t * 100:
                yield Signal("just_under_threshold", "invoice", inv.invoice_id, (inv.vendor_id,), inv.invoice_date,
                             {"amount_minor": inv.amount_minor, "threshold_minor": t},
                             f"Invoice {inv.shown} of {_money(inv.amount_minor, p.currency)} is just under the "
                             f"approval threshold of {_money(t, p.currency)}.")
        if inv.amount_minor > 0 and inv.amount_minor % p.round_unit_minor == 0:
            others = [o for o in by_vendor[inv.vendor_id] if o.invoice_id != inv.invoice_id]
            round_others = sum(o.amount_minor % p.round_unit_minor == 0 for o in others)
            if len(others) >= p.round_min_history and round_others < p.round_usual_share * len(others):
                yield Signal("round_amount", "invoice", inv.invoice_id, (inv.vendor_id,), inv.invoice_date,
                             {"amount_minor": inv.amount_minor, "vendor_invoices": len(others),
                              "vendor_round_invoices": round_others},
                             f"Invoice {inv.shown} is a round {_money(inv.amount_minor, p.currency)}; only "
                             f"{round_others} of the vendor's {len(others)} other invoices are round.")


_SEQ = re.compile(r"^(.*?)(\d+)$")


def number_signals(f: SignalFacts, p: SignalPolicy) -> Iterator[Signal]:
    vendors_of: dict[str, set[str]] = defaultdict(set)
    for inv in f.invoices:
        vendors_of[inv.number].add(inv.vendor_id)
    for inv in f.invoices:
        others = sorted(vendors_of[inv.number] - {inv.vendor_id})
        if others:
            yield Signal("invoice_number_reused", "invoice", inv.invoice_id, (inv.vendor_id, *others), inv.invoice_date,
                         {"number": inv.number, "other_vendors": others},
                         f"Invoice number {inv.shown} from vendor {inv.vendor_id} is also used by "
                         f"{', '.join(others)}.")
    series: dict[tuple[str, str], list[tuple[dt.date, int, Any]]] = defaultdict(list)
    for inv in sorted(f.invoices, key=lambda i: (i.invoice_date, i.invoice_id)):
        m = _SEQ.match(inv.number)
        if m is not None:
            series[(inv.vendor_id, m.group(1))].append((inv.invoice_date, int(m.group(2)), inv))
    grace = dt.timedelta(days=p.sequence_grace_days)
    for dated in series.values():
        top: tuple[int, str] | None = None  # the highest number among invoices dated at least the grace earlier
        seen = 0
        for on, value, inv in dated:
            while seen < len(dated) and dated[seen][0] <= on - grace:
                if top is None or dated[seen][1] > top[0]:
                    top = (dated[seen][1], dated[seen][2].shown)
                seen += 1
            if top is not None and value < top[0]:
                yield Signal("invoice_number_out_of_sequence", "invoice", inv.invoice_id, (inv.vendor_id,), on,
                             {"number": inv.number, "earlier_number": top[1]},
                             f"Invoice {inv.shown} is numbered below {top[1]}, which the vendor dated at least "
                             f"{p.sequence_grace_days} days earlier.")


def same_amount_same_day(f: SignalFacts, p: SignalPolicy) -> Iterator[Signal]:
    groups: dict[tuple[dt.date, int], list[Any]] = defaultdict(list)
    for pay in f.payments:
        groups[(pay.on, pay.amount_minor)].append(pay)
    for (on, amount), pays in groups.items():
        vendors = sorted({x.vendor_id for x in pays})
        if len(vendors) < 2 or amount <= 0:
            continue
        for x in pays:
            others = sorted(y.payment_id for y in pays if y.vendor_id != x.vendor_id)
            yield Signal("same_amount_same_day", "payment", x.payment_id, tuple(vendors), on,
                         {"amount_minor": amount, "other_payments": others},
                         f"Payment {x.payment_id} of {_money(amount, p.currency)} on {on.isoformat()} matches "
                         f"{', '.join(others)} to another vendor on the same day.")


BENFORD = tuple(math.log10(1 + 1 / d) for d in range(1, 10))


def benford_chi_square(amounts: Iterable[int]) -> tuple[float, list[int]]:
    counts = [0] * 9
    for a in amounts:
        if a > 0:
            counts[int(str(a)[0]) - 1] += 1
    n = sum(counts)
    return sum((c - n * e) ** 2 / (n * e) for c, e in zip(counts, BENFORD)) if n else 0.0, counts


def benford(f: SignalFacts, p: SignalPolicy) -> Iterator[Signal]:
    by_vendor: dict[str, list[Any]] = defaultdict(list)
    for inv in f.invoices:
        by_vendor[inv.vendor_id].append(inv)
    for vendor, invs in sorted(by_vendor.items()):
        if len(invs) < p.benford_min_invoices:
            continue
        chi, counts = benford_chi_square(i.amount_minor for i in invs)
        if chi > p.benford_critical:
            stat = f"{chi:.2f}"
            yield Signal("benford", "vendor", vendor, (vendor,), max(i.invoice_date for i in invs),
                         {"invoices": len(invs), "chi_square": stat, "critical": str(p.benford_critical),
                          "first_digits": counts},
                         f"Vendor {vendor}'s {len(invs)} invoice amounts start with digits far from Benford's law "
                         f"(chi-square {stat} over 8 degrees of freedom; above {p.benford_critical}).")


SIGNALS = (shared_bank_accounts, paid_soon, bank_after_contact, amount_signals, number_signals, same_amount_same_day,
           benford)


def all_signals(facts: SignalFacts, policy: SignalPolicy = SignalPolicy()) -> list[Signal]:
    out = [s for rule in SIGNALS for s in rule(facts, policy)]
    return sorted(out, key=lambda s: (s.on, s.kind, s.subject_id))
