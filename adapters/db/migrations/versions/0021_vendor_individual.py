"""vendor individual: a flag naming a vendor who is a natural person

Revision ID: 0021_vendor_individual
Revises: 0020_prompt_pay_facts

``vendors.is_individual`` (default false): the open checkbook publishes a payment to such a vendor as "Redacted
payee" (docs/transparency.md). Existing vendors are businesses until someone says otherwise.
"""
from alembic import op
import sqlalchemy as sa

revision = "0021_vendor_individual"
down_revision = "0020_prompt_pay_facts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("vendors") as batch:
        batch.add_column(sa.Column("is_individual", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("vendors") as batch:
        batch.drop_column("is_individual")
