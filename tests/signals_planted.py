"""A generated year of an agency's activity with labelled frauds and look-alikes that are not frauds, for the assist
signals (issue 16: committed before the signals were written, so the signals were built against it, not it against
them).

The ordinary agency (``clean_year``): 60 vendors created before the year, each with one bank account and 40-60
invoices through 2026 whose amounts are log-uniform between $10 and $10,000 with cents (so their first digits follow
Benford's law and almost none is a round number), numbered in sequence with the vendor's own prefix, each paid 30
days after its date. Look-alikes that must not be flagged are added to it:

* a landlord billing exactly $2,000.00 every month (round, but round is usual for that vendor);
* a vendor created in 2026 and first paid 75 days later;
* two vendors paid the same amount on different days, and different amounts on the same day;
* a vendor that changed its bank account 200 days after its contact change, and was paid 60 days after;
* an invoice of $20,000.00 to a vendor who usually bills round sums: well below the $25,000 threshold's band;
* a vendor with 150 invoices that follow Benford's law.

The planted year (``planted_year``) is the clean year plus the frauds, each labelled with the signal that should
find it and the object it should name (``Planted``).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from payments.reporting.signal_facts import (BankAccountFact, ContactChangeFact, InvoiceFact, PaymentFact,
                                             SignalFacts, VendorFact)

YEAR_START = dt.date(2026, 1, 1)
THRESHOLD_MINOR = 2_500_000  # the agency's two-approver threshold, $25,000


@dataclass(frozen=True, slots=True)
class Planted:
    signal: str
    subject: str  # the invoice, vendor or payment id the signal should name


def _day(rng: random.Random) -> dt.date:
    return YEAR_START + dt.timedelta(days=rng.randrange(0, 330))


def _benford_amount(rng: random.Random) -> int:
    return int(10 ** rng.uniform(3, 6))  # $10.00 - $9,999.99 in minor units, log-uniform over three decades


class _Year:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.vendors: list[VendorFact] = []
        self.accounts: list[BankAccountFact] = []
        self.contacts: list[ContactChangeFact] = []
        self.invoices: list[InvoiceFact] = []
        self.payments: list[PaymentFact] = []

    def vendor(self, vid: str, created: dt.date, fingerprint: str | None = None) -> str:
        self.vendors.append(VendorFact(vid, created))
        self.accounts.append(BankAccountFact(vid, f"ba_{vid}", fingerprint or f"fp_{vid}", created))
        return vid

    def bill(self, vid: str, number: str, on: dt.date, amount: int, *, paid_after: int = 30) -> str:
        iid = f"inv_{vid}_{number}"
        self.invoices.append(InvoiceFact(iid, vid, number, on, amount))
        self.pay(vid, f"pay_{iid}", on + dt.timedelta(days=paid_after), amount)
        return iid

    def pay(self, vid: str, pid: str, on: dt.date, amount: int) -> str:
        self.payments.append(PaymentFact(pid, vid, on, amount))
        return pid

    def facts(self) -> SignalFacts:
        return SignalFacts(tuple(self.vendors), tuple(self.accounts), tuple(self.contacts), tuple(self.invoices),
                           tuple(self.payments))


def _clean(seed: int = 16) -> _Year:
    y = _Year(seed)
    for n in range(60):
        vid = y.vendor(f"v{n:02d}", dt.date(2024, 1, 1) + dt.timedelta(days=n))
        days = sorted(_day(y.rng) for _ in range(y.rng.randrange(40, 61)))
        for k, on in enumerate(days):
            y.bill(vid, f"V{n:02d}-{1000 + k}", on, _benford_amount(y.rng))
    # Look-alikes.
    y.vendor("landlord", dt.date(2023, 5, 1))
    for m in range(1, 13):
        y.bill("landlord", f"RENT-{m:02d}", dt.date(2026, m, 1), 200_000)
    y.vendor("newcomer", dt.date(2026, 3, 2))
    y.bill("newcomer", "N-1", dt.date(2026, 4, 16), 345_678, paid_after=30)  # paid 16 May: 75 days after creation
    y.vendor("twin_a", dt.date(2024, 2, 1))
    y.vendor("twin_b", dt.date(2024, 2, 2))
    y.bill("twin_a", "TA-1", dt.date(2026, 6, 1), 777_777)
    y.bill("twin_b", "TB-1", dt.date(2026, 6, 2), 777_777)  # same amount, paid a day apart
    y.bill("twin_b", "TB-2", dt.date(2026, 6, 1), 123_457)  # same day as TA-1, another amount
    y.vendor("mover", dt.date(2024, 3, 1))
    y.contacts.append(ContactChangeFact("mover", "cc_mover", dt.date(2026, 1, 10)))
    y.accounts.append(BankAccountFact("mover", "ba_mover_2", "fp_mover_2", dt.date(2026, 7, 29)))
    y.bill("mover", "M-1", dt.date(2026, 8, 27), 250_001, paid_after=30)  # paid 26 Sep: 59 days after the change
    y.vendor("contractor", dt.date(2024, 4, 1))
    for k in range(8):
        y.bill("contractor", f"C-{k + 1}", dt.date(2026, 1 + k, 10), 500_000 * (k % 3 + 1))
    y.bill("contractor", "C-9", dt.date(2026, 10, 10), 2_000_000)  # $20,000.00, round as ever, far below the band
    y.vendor("busy", dt.date(2024, 5, 1))
    for k, on in enumerate(sorted(_day(y.rng) for _ in range(150))):
        y.bill("busy", f"B-{10_000 + k}", on, _benford_amount(y.rng))
    return y


def clean_year(seed: int = 16) -> SignalFacts:
    return _clean(seed).facts()


def planted_year(seed: int = 16) -> tuple[SignalFacts, list[Planted]]:
    y = _clean(seed)
    planted: list[Planted] = []
    # One bank account on two vendors: a shell vendor given an existing vendor's account.
    y.vendor("shell", dt.date(2025, 6, 1), fingerprint="fp_v07")
    planted.append(Planted("shared_bank_account", "shell"))
    # A vendor paid within days of being created.
    y.vendor("quick", dt.date(2026, 5, 4))
    quick = y.bill("quick", "Q-1", dt.date(2026, 5, 5), 480_000, paid_after=5)
    planted.append(Planted("paid_soon_after_creation", f"pay_{quick}"))  # the signal names the payment
    # A vendor paid within days of a bank change (a hijacked account).
    y.accounts.append(BankAccountFact("v11", "ba_v11_2", "fp_v11_2", dt.date(2026, 9, 1)))
    planted.append(Planted("paid_soon_after_bank_change", y.pay("v11", "pay_v11_hijack", dt.date(2026, 9, 8),
                                                                912_345)))
    # A bank change soon after a contact change (the classic takeover: new phone, then new account).
    y.contacts.append(ContactChangeFact("v12", "cc_v12", dt.date(2026, 10, 1)))
    y.accounts.append(BankAccountFact("v12", "ba_v12_2", "fp_v12_2", dt.date(2026, 10, 6)))
    planted.append(Planted("bank_change_after_contact_change", "ba_v12_2"))
    # Invoice amounts just under the threshold.
    planted.append(Planted("just_under_threshold", y.bill("v13", "V13-UNDER", dt.date(2026, 7, 7), 2_495_000)))
    planted.append(Planted("just_under_threshold", y.bill("v14", "V14-UNDER", dt.date(2026, 8, 8), 2_399_999)))
    # A round-dollar amount from a vendor that never bills round sums.
    planted.append(Planted("round_amount", y.bill("v15", "V15-ROUND", dt.date(2026, 6, 15), 1_500_000)))
    # An invoice number used by another vendor.
    planted.append(Planted("invoice_number_reused", y.bill("v16", "V17-1003", dt.date(2026, 5, 20), 88_812)))
    # An invoice number out of sequence: lower than one the vendor sent earlier.
    planted.append(Planted("invoice_number_out_of_sequence", y.bill("v18", "V18-0990", dt.date(2026, 11, 20),
                                                                    45_678)))
    # The same amount paid on the same day to two vendors.
    y.pay("v19", "pay_v19_dup", dt.date(2026, 4, 14), 1_234_567)
    planted.append(Planted("same_amount_same_day", y.pay("v20", "pay_v20_dup", dt.date(2026, 4, 14), 1_234_567)))
    # A vendor whose amounts are made up: 120 invoices between $4,000 and $4,999.
    y.vendor("forger", dt.date(2024, 6, 1))
    for k, on in enumerate(sorted(_day(y.rng) for _ in range(120))):
        y.bill("forger", f"F-{k + 1:04d}", on, y.rng.randrange(400_000, 499_999))
    planted.append(Planted("benford", "forger"))
    return y.facts(), planted
