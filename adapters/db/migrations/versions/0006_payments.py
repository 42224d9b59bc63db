"""payment runs, releases, payments, payment items, submissions and the payment outbox

Revision ID: 0006_payments
Revises: 0003_scheduler
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_payments"
down_revision = "0003_scheduler"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_runs",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("run_key", sa.String(120), nullable=True),
        sa.Column("run_date", sa.String(10), nullable=False),
        sa.Column("effective_date", sa.String(10), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("rail", sa.String(40), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("payment_count", sa.Integer(), nullable=False),
        sa.Column("required_releases", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.String(40), nullable=True),
        sa.Column("skipped", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_runs")),
        sa.UniqueConstraint("run_key", name=op.f("uq_payment_runs_run_key")),
    )
    op.create_index("ix_payment_runs_status", "payment_runs", ["status"])
    op.create_table(
        "payment_run_releases",
        sa.Column("run_id", sa.String(40), nullable=False),
        sa.Column("user_id", sa.String(100), nullable=False),
        sa.Column("released_at", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["payment_runs.id"],
                                name=op.f("fk_payment_run_releases_run_id_payment_runs")),
        sa.PrimaryKeyConstraint("run_id", "user_id", name=op.f("pk_payment_run_releases")),
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("run_id", sa.String(40), nullable=False),
        sa.Column("vendor_id", sa.String(40), nullable=False),
        sa.Column("account_id", sa.String(40), nullable=False),
        sa.Column("payee_name", sa.String(200), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("sec_code", sa.String(3), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("effective_date", sa.String(10), nullable=False),
        sa.Column("trace_number", sa.String(15), nullable=True),
        sa.Column("submission_id", sa.String(40), nullable=True),
        sa.Column("status_reason", sa.String(200), nullable=True),
        sa.Column("live_prenote_account_id", sa.String(40), nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["payment_runs.id"], name=op.f("fk_payments_run_id_payment_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("live_prenote_account_id", name=op.f("uq_payments_live_prenote_account_id")),
    )
    op.create_index("ix_payments_run_id", "payments", ["run_id"])
    op.create_index("ix_payments_status", "payments", ["status"])
    op.create_index("ix_payments_account_id", "payments", ["account_id"])
    op.create_table(
        "payment_items",
        sa.Column("payment_id", sa.String(40), nullable=False),
        sa.Column("invoice_id", sa.String(40), nullable=False),
        sa.Column("live_invoice_id", sa.String(40), nullable=True),
        sa.Column("invoice_number", sa.String(80), nullable=False),
        sa.Column("invoice_date", sa.String(10), nullable=True),
        sa.Column("due_date", sa.String(10), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("discount_minor", sa.BigInteger(), nullable=False),
        sa.Column("interest_minor", sa.BigInteger(), nullable=False),
        sa.Column("fund", sa.String(20), nullable=False),
        sa.Column("expenditure_account", sa.String(64), nullable=True),
        sa.Column("approver_ids", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"], name=op.f("fk_payment_items_payment_id_payments")),
        sa.PrimaryKeyConstraint("payment_id", "invoice_id", name=op.f("pk_payment_items")),
        sa.UniqueConstraint("live_invoice_id", name=op.f("uq_payment_items_live_invoice_id")),
    )
    op.create_index("ix_payment_items_invoice_id", "payment_items", ["invoice_id"])
    op.create_table(
        "payment_submissions",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("run_id", sa.String(40), nullable=False),
        sa.Column("rail", sa.String(40), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("reference", sa.String(200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("lease_holder", sa.String(100), nullable=True),
        sa.Column("lease_until", sa.String(32), nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["payment_runs.id"],
                                name=op.f("fk_payment_submissions_run_id_payment_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_submissions")),
        sa.UniqueConstraint("run_id", name=op.f("uq_payment_submissions_run_id")),
    )
    op.create_index("ix_payment_submissions_state", "payment_submissions", ["state"])
    op.create_table(
        "payment_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("topic", sa.String(60), nullable=False),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("processed_at", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_payment_outbox_key")),
    )


def downgrade() -> None:
    op.drop_table("payment_outbox")
    op.drop_index("ix_payment_submissions_state", table_name="payment_submissions")
    op.drop_table("payment_submissions")
    op.drop_index("ix_payment_items_invoice_id", table_name="payment_items")
    op.drop_table("payment_items")
    op.drop_index("ix_payments_account_id", table_name="payments")
    op.drop_index("ix_payments_status", table_name="payments")
    op.drop_index("ix_payments_run_id", table_name="payments")
    op.drop_table("payments")
    op.drop_table("payment_run_releases")
    op.drop_index("ix_payment_runs_status", table_name="payment_runs")
    op.drop_table("payment_runs")
