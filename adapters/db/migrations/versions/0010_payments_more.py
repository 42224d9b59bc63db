"""payments: same-day ACH on runs and payments

Revision ID: 0010_payments_more
Revises: 0006_payments
"""
from alembic import op
import sqlalchemy as sa

revision = "0010_payments_more"
down_revision = "0006_payments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Runs and payments planned before this revision were all ordinary (next-day) ones.
    with op.batch_alter_table("payment_runs") as batch:
        batch.add_column(sa.Column("same_day", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("same_day", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.drop_column("same_day")
    with op.batch_alter_table("payment_runs") as batch:
        batch.drop_column("same_day")
