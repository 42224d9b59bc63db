"""prompt pay by rule set: the rule an invoice's due date and a payment's interest were computed under

Revision ID: 0016_prompt_pay_rules
Revises: 0013_budget_backfill
Depends on: 0006_payments

``invoices.pp_rule`` and ``payment_items.interest_rule`` hold "name@version[/category]" (for example
``texas@tx-2251`` or ``florida_local@fs-218-2021.07/construction``). Rows written before this revision were all
computed by the federal rule and are left NULL, which reads as that rule.
"""
from alembic import op
import sqlalchemy as sa

revision = "0016_prompt_pay_rules"
down_revision = "0013_budget_backfill"
branch_labels = None
depends_on = ("0006_payments",)


def upgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("pp_rule", sa.String(80), nullable=True))
    with op.batch_alter_table("payment_items") as batch:
        batch.add_column(sa.Column("interest_rule", sa.String(80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payment_items") as batch:
        batch.drop_column("interest_rule")
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("pp_rule")
