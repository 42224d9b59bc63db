"""The 1099 read port in SQL: per 1099 vendor, the payments dated in a calendar year that were not returned.

Payments are summed whole (what left the agency for the vendor), by effective date. The TIN is decrypted only
for the filing file, with the field cipher ``composition`` hands in (bound to the vendor row and column, as the
vendor service sealed it).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from adapters.db.ap.ap_tables import vendors
from adapters.db.disbursements.payment_tables import payments
from payments.reporting.form_1099 import VendorYear, calendar_year

COUNTED = ("sent", "settled")  # a returned payment never reached the payee; a failed one never left
TIN_COLUMN = "vendors.tin"


class SqlForm1099Source:
    def __init__(self, engine: Engine, cipher: Any = None) -> None:
        self._engine, self._cipher = engine, cipher

    def vendor_years(self, year: int, *, with_tin: bool) -> Iterator[VendorYear]:
        first, last = calendar_year(year)
        paid = (select(payments.c.vendor_id, payments.c.currency, func.sum(payments.c.amount_minor).label("paid"),
                       func.count().label("n"))
                .where(payments.c.kind == "live", payments.c.status.in_(COUNTED),
                       payments.c.effective_date >= first.isoformat(), payments.c.effective_date <= last.isoformat())
                .group_by(payments.c.vendor_id, payments.c.currency).subquery("paid"))
        query = (select(vendors.c.id, vendors.c.legal_name, vendors.c.is_individual, vendors.c.tin_ciphertext,
                        vendors.c.tin_last4, vendors.c.addresses_json, paid.c.currency, paid.c.paid, paid.c.n)
                 .select_from(vendors.join(paid, paid.c.vendor_id == vendors.c.id))
                 .where(vendors.c.is_1099.is_(True)).order_by(vendors.c.id, paid.c.currency))
        with self._engine.connect().execution_options(disburse_read_only=True) as conn:
            for r in conn.execute(query):
                tin = None
                if with_tin and r.tin_ciphertext:
                    tin = self._cipher.decrypt(base64.b64decode(r.tin_ciphertext), row_id=r.id, column=TIN_COLUMN)
                addresses = json.loads(r.addresses_json or "[]")
                remit = next((a for a in addresses if a.get("kind") == "remit"), addresses[0] if addresses else {})
                yield VendorYear(r.id, r.legal_name, bool(r.is_individual), tin, r.tin_last4, remit, int(r.paid),
                                 int(r.n), r.currency)
