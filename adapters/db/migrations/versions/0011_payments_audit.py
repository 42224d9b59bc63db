"""payments: why a run's payments were re-dated at submission

Revision ID: 0011_payments_audit
Revises: 0010_payments_more
"""
from alembic import op
import sqlalchemy as sa

revision = "0011_payments_audit"
down_revision = "0010_payments_more"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # JSON: the code, the reason in words, the new date and each moved payment's old date (NULL: never re-dated).
    with op.batch_alter_table("payment_runs") as batch:
        batch.add_column(sa.Column("redated", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payment_runs") as batch:
        batch.drop_column("redated")
