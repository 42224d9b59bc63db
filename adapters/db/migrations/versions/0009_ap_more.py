"""AP: purchase orders charged to a fiscal year; each year's budget line keeps what it encumbered and expended

Revision ID: 0009_ap_more
Revises: 0005_ap
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_ap_more"
down_revision = "0005_ap"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Orders entered before this revision have no fiscal year (NULL): a draft among them is charged to the year
    # it is approved in; an approved one posts without a year split, as before. Budget lines start from zero.
    with op.batch_alter_table("purchase_orders") as batch:
        batch.add_column(sa.Column("fiscal_year", sa.Integer(), nullable=True))
    with op.batch_alter_table("budgets") as batch:
        batch.add_column(sa.Column("encumbered_minor", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("expended_minor", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("budgets") as batch:
        batch.drop_column("expended_minor")
        batch.drop_column("encumbered_minor")
    with op.batch_alter_table("purchase_orders") as batch:
        batch.drop_column("fiscal_year")
