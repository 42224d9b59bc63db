"""payments: the bank's own reference for a payment, as a status report (pain.002 AcctSvcrRef) gave it

Revision ID: 0026_payment_bank_refs
Revises: 0011_payments_audit
"""
from alembic import op
import sqlalchemy as sa

revision = "0026_payment_bank_refs"
down_revision = "0011_payments_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_bank_references",
        sa.Column("payment_id", sa.String(40), sa.ForeignKey("payments.id"), nullable=False),
        sa.Column("reference", sa.String(35), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("learned_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_payment_bank_references")),
    )


def downgrade() -> None:
    op.drop_table("payment_bank_references")
