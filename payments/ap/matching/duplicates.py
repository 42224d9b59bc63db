"""Duplicate-invoice detection.

Three signals, each answerable by one indexed lookup, so the database does the searching:

- ``SAME_NUMBER``: same vendor and the same *normalized* invoice number
  (``WHERE vendor_id = :v AND number_normalized = :n``; store ``normalize_invoice_number()`` in a column);
- ``SAME_AMOUNT_NEAR_DATE``: same vendor, currency and total, invoice dates within the policy window
  (``WHERE vendor_id = :v AND currency = :c AND total_minor = :t AND invoice_date BETWEEN :d - w AND :d + w``);
- ``SAME_FILE``: the same file bytes (by SHA-256 digest) were submitted before, under any vendor
  (``WHERE file_digest = :h``).

Compare a new invoice only with invoices that can still be paid or were paid: a returned (improper) invoice
is usually resubmitted, corrected, under the same number, and a cancelled one was withdrawn.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from payments.ap.documents import Invoice, InvoiceStatus

# Letters people and OCR confuse with digits. Folded one way only (letter -> digit) so both sides of a
# comparison land on the same spelling.
_CONFUSABLES = str.maketrans({"o": "0", "i": "1", "l": "1"})
_ALNUM_RUNS = re.compile(r"[^\W_]+")
# Zeros that open a run of digits and are followed by another digit: "INV-007" and "INV 7" agree.
_LEADING_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")

NOT_COMPARED_STATUSES = frozenset({InvoiceStatus.RETURNED, InvoiceStatus.CANCELLED})


def normalize_invoice_number(raw: str) -> str:
    """The form of an invoice number two spellings of the same number share.

    Folds Unicode compatibility forms, case and other scripts' digits, maps O to 0 and I/L to 1, drops
    spaces, hyphens and all other punctuation, and strips leading zeros from each run of digits. Stable:
    store it in an indexed column (changing this function means recomputing that column). An empty result
    (the number was all punctuation) never matches anything.
    """
    folded = unicodedata.normalize("NFKC", raw).casefold().translate(_CONFUSABLES)
    if not folded.isascii():
        # Digits of other scripts (Arabic-Indic, Devanagari, ...) are the same numbers: write them 0-9.
        folded = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in folded)
    return "".join(_LEADING_ZEROS.sub("", run) for run in _ALNUM_RUNS.findall(folded))


class DuplicateSignal(enum.Enum):
    """Why two invoices look like the same bill."""

    SAME_NUMBER = "same_number"
    """Same vendor and the same invoice number once normalized."""
    SAME_AMOUNT_NEAR_DATE = "same_amount_near_date"
    """Same vendor, currency and total, with invoice dates within the policy window."""
    SAME_FILE = "same_file"
    """The very same file was submitted before."""


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    """The columns duplicate detection reads from one invoice."""

    invoice_id: str
    vendor_id: str
    number_normalized: str
    currency: str
    total_minor: int
    invoice_date: date | None
    file_digest: str | None

    @classmethod
    def of(cls, invoice: Invoice) -> DuplicateKey:
        return cls(
            invoice_id=invoice.id,
            vendor_id=invoice.vendor_id,
            number_normalized=normalize_invoice_number(invoice.invoice_number),
            currency=invoice.currency,
            total_minor=invoice.total_minor,
            invoice_date=invoice.invoice_date,
            file_digest=invoice.file_digest or None,
        )


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    """An earlier invoice the candidate resembles, and which signals fired."""

    other_invoice_id: str
    signals: tuple[DuplicateSignal, ...]


def duplicate_signals(candidate: DuplicateKey, other: DuplicateKey, window_days: int) -> tuple[DuplicateSignal, ...]:
    """Every signal that fires between two invoices (empty when they look unrelated, or are the same one)."""
    if candidate.invoice_id == other.invoice_id:
        return ()
    fired: list[DuplicateSignal] = []
    same_vendor = candidate.vendor_id == other.vendor_id
    if same_vendor and candidate.number_normalized and candidate.number_normalized == other.number_normalized:
        fired.append(DuplicateSignal.SAME_NUMBER)
    if (
        same_vendor
        and candidate.currency == other.currency
        and candidate.total_minor == other.total_minor
        and candidate.invoice_date is not None
        and other.invoice_date is not None
        and abs((candidate.invoice_date - other.invoice_date).days) <= window_days
    ):
        fired.append(DuplicateSignal.SAME_AMOUNT_NEAR_DATE)
    if candidate.file_digest and candidate.file_digest == other.file_digest:
        fired.append(DuplicateSignal.SAME_FILE)
    return tuple(fired)


def find_duplicates(
    candidate: DuplicateKey, others: Iterable[DuplicateKey], window_days: int
) -> tuple[DuplicateMatch, ...]:
    """Compare one invoice with earlier ones (e.g. the rows the three lookups returned), by invoice id."""
    matches = {}
    for other in others:
        signals = duplicate_signals(candidate, other, window_days)
        if signals:
            matches[other.invoice_id] = DuplicateMatch(other.invoice_id, signals)
    return tuple(matches[k] for k in sorted(matches))


class DuplicatePool(Protocol):
    """What batch matching asks of the invoices already known (``DuplicateIndex``, or a stored pool)."""

    def matches(self, key: DuplicateKey, /) -> tuple[DuplicateMatch, ...]:
        """The possible originals of ``key``'s invoice."""
        ...

    def add(self, key: DuplicateKey, /) -> None:
        """Count ``key``'s invoice among the known ones."""
        ...


class DuplicateIndex:
    """An in-memory form of the three lookups, for batch matching and tests.

    Add invoices in the order they should win (earliest received first); ``matches`` compares a candidate
    with everything added so far, so of two copies in one batch only the later is suspected.
    """

    def __init__(self, window_days: int) -> None:
        self.window_days = window_days
        self._by_number: dict[tuple[str, str], list[DuplicateKey]] = defaultdict(list)
        self._by_amount: dict[tuple[str, str, int], list[DuplicateKey]] = defaultdict(list)
        self._by_file: dict[str, list[DuplicateKey]] = defaultdict(list)

    def add(self, key: DuplicateKey) -> None:
        if key.number_normalized:
            self._by_number[(key.vendor_id, key.number_normalized)].append(key)
        self._by_amount[(key.vendor_id, key.currency, key.total_minor)].append(key)
        if key.file_digest:
            self._by_file[key.file_digest].append(key)

    def matches(self, candidate: DuplicateKey) -> tuple[DuplicateMatch, ...]:
        pool: list[DuplicateKey] = []
        if candidate.number_normalized:
            pool += self._by_number.get((candidate.vendor_id, candidate.number_normalized), ())
        pool += self._by_amount.get((candidate.vendor_id, candidate.currency, candidate.total_minor), ())
        if candidate.file_digest:
            pool += self._by_file.get(candidate.file_digest, ())
        return find_duplicates(candidate, pool, self.window_days)
