"""Search in SQL (``payments.disbursements.search.SearchQueries``): vendors, purchase orders, invoices and
payments by number, name, amount, trace number or EndToEndId, a bounded number of each kind.

A name or number is matched case-insensitively anywhere in it (``LIKE`` with ``%`` and ``_`` escaped, so what
was typed is taken literally); an amount only where the currency has two decimals (its hundredths are what
was typed); a trace number and an EndToEndId exactly.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Connection

from adapters.db.ap.ap_tables import invoices, purchase_orders, vendors
from adapters.db.disbursements.payment_tables import payments
from payments.disbursements.search import SearchHit, SearchTerms

_TWO_DECIMALS = ("USD", "EUR", "CAD", "GBP", "MXN", "AUD")


def _like(column: Any, text: str) -> Any:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


def _amount(column: Any, currency: Any, cents: int | None) -> Any:
    if cents is None:
        return None
    # Typed amounts are read in hundredths: a currency with other decimals is not found by amount.
    return (column == cents) & currency.in_(_TWO_DECIMALS)


def _why(terms: SearchTerms, *pairs: tuple[str, Any]) -> str:
    text = terms.text.lower()
    for name, value in pairs:
        if name == "amount":
            if terms.amount_cents is not None and value == terms.amount_cents:
                return name
        elif value is not None and (text in str(value).lower()):
            return name
    return pairs[0][0]


class SqlSearchQueries:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def search(self, terms: SearchTerms, *, limit: int) -> list[SearchHit]:
        return self._vendors(terms, limit) + self._pos(terms, limit) + self._invoices(terms, limit) \
            + self._payments(terms, limit)

    def _vendors(self, t: SearchTerms, limit: int) -> list[SearchHit]:
        stmt = (select(vendors.c.id, vendors.c.number, vendors.c.legal_name, vendors.c.status)
                .where(or_(_like(vendors.c.legal_name, t.text), _like(vendors.c.number, t.text)))
                .order_by(vendors.c.legal_name, vendors.c.id).limit(limit))
        return [SearchHit("vendor", r.id, r.number or r.id, r.legal_name, r.status, None, None,
                          _why(t, ("name", r.legal_name), ("number", r.number))) for r in self._c.execute(stmt)]

    def _pos(self, t: SearchTerms, limit: int) -> list[SearchHit]:
        conditions = [_like(purchase_orders.c.number, t.text)]
        by_amount = _amount(purchase_orders.c.total_minor, purchase_orders.c.currency, t.amount_cents)
        if by_amount is not None:
            conditions.append(by_amount)
        stmt = (select(purchase_orders.c.id, purchase_orders.c.number, purchase_orders.c.status,
                       purchase_orders.c.currency, purchase_orders.c.total_minor, vendors.c.legal_name)
                .join(vendors, vendors.c.id == purchase_orders.c.vendor_id)
                .where(or_(*conditions)).order_by(purchase_orders.c.id.desc()).limit(limit))
        return [SearchHit("purchase_order", r.id, r.number, r.legal_name, r.status, r.currency, int(r.total_minor),
                          _why(t, ("number", r.number), ("amount", r.total_minor))) for r in self._c.execute(stmt)]

    def _invoices(self, t: SearchTerms, limit: int) -> list[SearchHit]:
        conditions = [_like(invoices.c.invoice_number, t.text)]
        by_amount = _amount(invoices.c.total_minor, invoices.c.currency, t.amount_cents)
        if by_amount is not None:
            conditions.append(by_amount)
        stmt = (select(invoices.c.id, invoices.c.invoice_number, invoices.c.status, invoices.c.currency,
                       invoices.c.total_minor, vendors.c.legal_name)
                .join(vendors, vendors.c.id == invoices.c.vendor_id)
                .where(or_(*conditions)).order_by(invoices.c.id.desc()).limit(limit))
        return [SearchHit("invoice", r.id, r.invoice_number, r.legal_name, r.status, r.currency, int(r.total_minor),
                          _why(t, ("number", r.invoice_number), ("amount", r.total_minor)))
                for r in self._c.execute(stmt)]

    def _payments(self, t: SearchTerms, limit: int) -> list[SearchHit]:
        conditions = [payments.c.trace_number == t.text, payments.c.id == t.text, _like(payments.c.payee_name, t.text)]
        by_amount = _amount(payments.c.amount_minor, payments.c.currency, t.amount_cents)
        if by_amount is not None:
            conditions.append(by_amount)
        stmt = (select(payments.c.id, payments.c.trace_number, payments.c.status, payments.c.currency,
                       payments.c.amount_minor, payments.c.payee_name)
                .where(or_(*conditions)).order_by(payments.c.id.desc()).limit(limit))
        out = []
        for r in self._c.execute(stmt):
            why = ("trace_number" if r.trace_number == t.text else "end_to_end_id" if r.id == t.text else
                   _why(t, ("name", r.payee_name), ("amount", r.amount_minor)))
            out.append(SearchHit("payment", r.id, r.trace_number or r.id, r.payee_name, r.status, r.currency,
                                 int(r.amount_minor), why))
        return out
