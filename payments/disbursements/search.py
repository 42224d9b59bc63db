"""Search across vendors, purchase orders, invoices and payments by number, name, amount, trace number or
EndToEndId: what a person types into the one search box of the staff pages.

The words are read once here: a text that reads as an amount ("1,200.00", "$1200") also finds documents of that
total; the rest is matched as a number or name (case-insensitive, anywhere in it) and, for payments, as the
trace number or the EndToEndId the rail carries (the payment's id) exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Protocol

from payments.ports import UowFactory

MAX_HITS = 20  # per kind
_AMOUNT = re.compile(r"^\$?\s*([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]{1,2})?$")


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One thing found. ``kind`` is vendor, purchase_order, invoice or payment; ``matched`` says on what."""

    kind: str
    id: str
    label: str  # its number (or name, for a vendor)
    name: str  # the vendor's name
    status: str
    currency: str | None
    amount_minor: int | None
    matched: str  # number, name, amount, trace_number, end_to_end_id


@dataclass(frozen=True, slots=True)
class SearchTerms:
    text: str  # trimmed, at most 100 characters
    amount_cents: int | None  # the text read as an amount in hundredths (USD-like currencies), if it reads so


class SearchQueries(Protocol):
    def search(self, terms: SearchTerms, *, limit: int) -> list[SearchHit]:
        """Up to ``limit`` hits of each kind."""
        ...


class SearchUnitOfWork(Protocol):
    search: SearchQueries

    def __enter__(self) -> SearchUnitOfWork: ...

    def __exit__(self, *exc: object) -> None: ...


def read_terms(text: str) -> SearchTerms | None:
    """What was typed, or None when there is nothing to look for."""
    cleaned = " ".join(text.split())[:100]
    if not cleaned:
        return None
    amount = None
    if _AMOUNT.match(cleaned):
        try:
            amount = int(Decimal(cleaned.lstrip("$").strip().replace(",", "")) * 100)
        except InvalidOperation:
            amount = None
    return SearchTerms(cleaned, amount)


class Search:
    def __init__(self, uow: UowFactory[SearchUnitOfWork]) -> None:
        self._uow = uow

    def find(self, text: str) -> list[SearchHit]:
        terms = read_terms(text)
        if terms is None:
            return []
        with self._uow(read_only=True) as uow:
            return uow.search.search(terms, limit=MAX_HITS)
