"""invoice lists by keyset at a million invoices: (status, id) and (vendor_id, id); open holds by kind

Revision ID: 0024_invoice_list_indexes
Revises: 0021_vendor_individual

The staff lists, the home page's counts and the vendor portal read invoices of one status, or of one vendor, in id
order a page at a time (``WHERE status = :s AND id > :after ORDER BY id LIMIT n``). An index on ``status`` alone
(SQLite keys it by rowid, not id) made every such page read and sort every invoice of the status: hundreds of
thousands at an agency's scale. ``(status, id)`` serves the page from the index in order and replaces it;
``(vendor_id, id)`` does the same for a vendor's invoices. The home page's open holds by kind (how many invoices,
the oldest) is read from ``(status, hold, raised_at, invoice_id)`` alone, never from the wide hold rows
(benchmarks/web_pages.py).
"""
from alembic import op

revision = "0024_invoice_list_indexes"
down_revision = "0021_vendor_individual"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_invoices_status_id", "invoices", ["status", "id"])
    op.create_index("ix_invoices_vendor_id_id", "invoices", ["vendor_id", "id"])
    op.create_index("ix_invoice_holds_open_kinds", "invoice_holds", ["status", "hold", "raised_at", "invoice_id"])
    op.drop_index("ix_invoices_status", table_name="invoices")


def downgrade() -> None:
    op.create_index("ix_invoices_status", "invoices", ["status"])
    op.drop_index("ix_invoice_holds_open_kinds", table_name="invoice_holds")
    op.drop_index("ix_invoices_vendor_id_id", table_name="invoices")
    op.drop_index("ix_invoices_status_id", table_name="invoices")
