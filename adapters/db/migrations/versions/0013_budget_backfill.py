"""AP: purchase orders approved before 0009 are charged to the fiscal year they were approved in

Revision ID: 0013_budget_backfill
Revises: 0009_ap_more

0009 left them without a year, so nothing they posted afterwards counted on any year's budget line. This gives
each approved (or since closed) order the fiscal year of its approval date, so every posting from now on carries
its year split. A migration cannot read the policy file: the year here assumes the default start month, July
(``[budget] fiscal_year_start_month = 7``). The upgrade then dates these orders again with the agency's own start
month and recounts every budget line's encumbered and expended sums from the journal (``main.build`` runs
``BudgetTotals.rebuild`` when this revision was just applied to an existing database; ``disburse budgets
rebuild`` does the same on demand). The funds check also holds each order to the ledger's all-years balance.
"""
from alembic import op
import sqlalchemy as sa

revision = "0013_budget_backfill"
down_revision = "0009_ap_more"
branch_labels = None
depends_on = None

DEFAULT_START_MONTH = 7

# approved_at is RFC 3339 UTC text (YYYY-MM-DDTHH:MM:SS.ffffffZ); a year is named for the calendar year it ends in.
BACKFILL = sa.text(
    "UPDATE purchase_orders SET fiscal_year = CAST(SUBSTR(approved_at, 1, 4) AS INTEGER)"
    " + CASE WHEN CAST(SUBSTR(approved_at, 6, 2) AS INTEGER) >= :start THEN 1 ELSE 0 END"
    " WHERE fiscal_year IS NULL AND status <> 'draft' AND approved_at IS NOT NULL"
).bindparams(start=DEFAULT_START_MONTH)


def upgrade() -> None:
    op.execute(BACKFILL)


def downgrade() -> None:
    # The years stay: 0009's schema holds them, and which ones this revision filled in is not recorded.
    pass
