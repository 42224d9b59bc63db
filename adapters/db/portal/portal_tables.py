"""Indexes the vendor portal reads by: a vendor's invoices and payments, a page at a time in id order.

Declared here against the AP and payment tables (their own modules stay as they are); migration 0008_portal
creates them.
"""

from sqlalchemy import Index

from adapters.db.ap.ap_tables import invoices
from adapters.db.disbursements.payment_tables import payments

# WHERE vendor_id = :v AND id > :after ORDER BY id LIMIT n: one range scan, however many vendors there are.
Index("ix_invoices_vendor_id", invoices.c.vendor_id, invoices.c.id)
Index("ix_payments_vendor_id", payments.c.vendor_id, payments.c.id)
