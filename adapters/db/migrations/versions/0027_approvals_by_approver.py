"""invoice approvals by approver: "awaiting my approval" without a pass over every approval

Revision ID: 0027_approvals_by_approver
Revises: 0025_open_hold_counts

The home page counts the matched invoices a person may still approve: ``NOT EXISTS`` an approval of theirs on the
invoice's version. On PostgreSQL the planner answers it with a merge anti join whose inner side is "this person's
approvals" in invoice order, and the only index with the approver in it is the primary key (invoice_id,
invoice_version, approver_id), where the approver is the last column: every approval of the agency was read to
find none of this person's (about 700,000 at a million invoices: 250-300 ms of each home page,
benchmarks/web_pages.py). ``(approver_id, invoice_id, invoice_version)`` finds a person's approvals by seek, in
invoice order, so the same plan reads only theirs.
"""
from alembic import op

revision = "0027_approvals_by_approver"
down_revision = "0025_open_hold_counts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_invoice_approvals_approver", "invoice_approvals",
                    ["approver_id", "invoice_id", "invoice_version"])


def downgrade() -> None:
    op.drop_index("ix_invoice_approvals_approver", table_name="invoice_approvals")
