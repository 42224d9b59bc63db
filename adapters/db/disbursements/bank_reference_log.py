"""The bank's own reference for payments as rails' status reports give it
(``payments.disbursements.payment_ports.BankReferenceLog``); never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from adapters.db.chunks import chunks
from adapters.db.disbursements.bank_reference_tables import payment_bank_references as refs


def _ts(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class SqlBankReferenceLog:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def learn(self, payment_id: str, reference: str, *, source: str, at: dt.datetime) -> bool:
        known = self._c.execute(select(refs.c.reference).where(refs.c.payment_id == payment_id)).scalar_one_or_none()
        if known == reference:
            return False
        if known is None:
            self._c.execute(refs.insert().values(payment_id=payment_id, reference=reference, source=source,
                                                 learned_at=_ts(at)))
        else:  # the bank corrected it: the latest report speaks
            self._c.execute(update(refs).where(refs.c.payment_id == payment_id)
                            .values(reference=reference, source=source, learned_at=_ts(at)))
        return True

    def learned(self, payment_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        out: dict[str, tuple[str, str]] = {}
        for chunk in chunks(sorted(set(payment_ids)), 500):
            for payment_id, reference, learned_at in self._c.execute(
                    select(refs.c.payment_id, refs.c.reference, refs.c.learned_at).where(refs.c.payment_id.in_(chunk))):
                out[payment_id] = (reference, learned_at)
        return out
