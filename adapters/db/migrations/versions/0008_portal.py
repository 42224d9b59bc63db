"""vendor portal: indexes for a vendor's invoices and payments in id order

Revision ID: 0008_portal
Revises: 0005_ap (and 0006_payments)
"""
from alembic import op

revision = "0008_portal"
down_revision = "0005_ap"
branch_labels = None
depends_on = ("0006_payments",)


def upgrade() -> None:
    op.create_index("ix_invoices_vendor_id", "invoices", ["vendor_id", "id"])
    op.create_index("ix_payments_vendor_id", "payments", ["vendor_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_payments_vendor_id", table_name="payments")
    op.drop_index("ix_invoices_vendor_id", table_name="invoices")
