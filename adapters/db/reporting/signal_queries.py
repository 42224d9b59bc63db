"""The assist signals' facts in SQL (payments/reporting/signals.py reads them; nothing here decides)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.engine import Engine

from adapters.db.ap.ap_tables import invoices, vendors
from adapters.db.disbursements.payment_tables import payments
from adapters.db.people.identity_tables import vendor_bank_accounts, vendor_contact_changes
from payments.reporting.signal_facts import (BankAccountFact, ContactChangeFact, InvoiceFact, PaymentFact,
                                             SignalFacts, VendorFact)

NOT_PAID = ("failed", "cancelled")  # a payment that never moved money is no payment to look at twice


def _day(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


class SqlSignalFacts:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def signal_facts(self) -> SignalFacts:
        b, c, i, p = vendor_bank_accounts, vendor_contact_changes, invoices, payments
        with self._engine.connect().execution_options(disburse_read_only=True) as conn:
            vendor_rows = conn.execute(select(vendors.c.id, vendors.c.created_at))
            facts_vendors = tuple(VendorFact(r.id, _day(r.created_at)) for r in vendor_rows if r.created_at)
            accounts = tuple(BankAccountFact(r.vendor_id, r.id, r.account_fingerprint, _day(r.created_at), r.status)
                             for r in conn.execute(select(b.c.vendor_id, b.c.id, b.c.account_fingerprint,
                                                          b.c.created_at, b.c.status)))
            contacts = tuple(ContactChangeFact(r.vendor_id, r.id, _day(r.requested_at))
                             for r in conn.execute(select(c.c.vendor_id, c.c.id, c.c.requested_at)))
            invs = tuple(InvoiceFact(r.id, r.vendor_id, r.number_normalized, _day(r.invoice_date), int(r.total_minor),
                                     r.invoice_number)
                         for r in conn.execute(select(i.c.id, i.c.vendor_id, i.c.number_normalized, i.c.invoice_number, i.c.invoice_date,
                                                      i.c.total_minor)
                                               .where(i.c.status != "cancelled", i.c.invoice_date.is_not(None))))
            pays = tuple(PaymentFact(r.id, r.vendor_id, _day(r.effective_date), int(r.amount_minor))
                         for r in conn.execute(select(p.c.id, p.c.vendor_id, p.c.effective_date, p.c.amount_minor)
                                               .where(p.c.kind == "live", p.c.status.notin_(NOT_PAID))))
        return SignalFacts(facts_vendors, accounts, contacts, invs, pays)
