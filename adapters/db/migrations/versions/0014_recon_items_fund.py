"""reconciliation: the fund of a payment's invoices read from an index

Revision ID: 0014_recon_items_fund
Revises: 0012_recon_speed
Depends on: 0006_payments

Reconciliation asks, for every payment it settles, which fund its invoices are in (one fund almost always:
``min(fund) = max(fund)`` over the payment's items). ``payment_items (payment_id, fund)`` answers that from the
index alone instead of reading every item row: at a million payments, about a second less in the set-based
trace match and as much in reading the open payments.
"""
from alembic import op

revision = "0014_recon_items_fund"
down_revision = "0012_recon_speed"
branch_labels = None
depends_on = ("0006_payments",)


def upgrade() -> None:
    op.create_index("ix_payment_items_payment_fund", "payment_items", ["payment_id", "fund"])


def downgrade() -> None:
    op.drop_index("ix_payment_items_payment_fund", table_name="payment_items")
