"""The credits a payment takes, stored beside it: each one taken through the credit's guarded counter first."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from adapters.db.ap.vendor_credit_repo import give_back, take_credit
from adapters.db.disbursements.payment_credit_tables import payment_credits
from payments.ap.vendor_credits import CreditTaken
from payments.disbursements.payment_records import PaymentRecord
from payments.disbursements.payment_rules import InvoiceAlreadyScheduled

__all__ = ["give_back", "load_credits", "store_credits"]


def store_credits(conn: Connection, records: Iterable[PaymentRecord]) -> None:
    """Take each payment's credits (``credit_taken_concurrently`` if another run took them first: plan again)."""
    rows = []
    for p in records:
        for c in p.credits:
            if not take_credit(conn, c.credit_memo_id, c.fund, c.payable_minor, c.receivable_minor):
                raise InvoiceAlreadyScheduled(f"credit memo {c.memo_number} was taken by another payment; plan again",
                                              code="credit_taken_concurrently")
            rows.append({"payment_id": p.id, "credit_memo_id": c.credit_memo_id, "fund": c.fund,
                         "memo_number": c.memo_number, "memo_date": c.memo_date, "amount_minor": c.amount_minor,
                         "receivable_minor": c.receivable_minor})
    if rows:
        conn.execute(insert(payment_credits), rows)


def load_credits(conn: Connection, payment_ids: Sequence[str]) -> dict[str, tuple[CreditTaken, ...]]:
    out: dict[str, list[CreditTaken]] = {}
    ids = list(payment_ids)
    for start in range(0, len(ids), 500):
        for r in conn.execute(select(payment_credits).where(payment_credits.c.payment_id.in_(ids[start:start + 500]))
                              .order_by(payment_credits.c.payment_id, payment_credits.c.memo_date,
                                        payment_credits.c.credit_memo_id)):
            out.setdefault(r.payment_id, []).append(CreditTaken(r.credit_memo_id, r.fund, r.memo_number, r.memo_date,
                                                                r.amount_minor, r.receivable_minor))
    return {k: tuple(v) for k, v in out.items()}
