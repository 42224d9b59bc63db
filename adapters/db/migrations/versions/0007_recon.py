"""treasury reconciliation: imported files, statements, lines, matches, returns, NOCs, exceptions queue

Revision ID: 0007_recon
Revises: 0003_scheduler
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_recon"
down_revision = "0003_scheduler"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recon_files",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("message_id", sa.String(200), nullable=True),
        sa.Column("imported_at", sa.String(32), nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recon_files")),
        sa.UniqueConstraint("digest", name=op.f("uq_recon_files_digest")),
    )
    op.create_table(
        "recon_statements",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("file_id", sa.String(40), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("statement_date", sa.String(10), nullable=True),
        sa.Column("opening_balance_minor", sa.BigInteger(), nullable=True),
        sa.Column("closing_balance_minor", sa.BigInteger(), nullable=True),
        sa.Column("statement_ref", sa.String(200), nullable=True),
        sa.Column("interim", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recon_statements")),
        sa.ForeignKeyConstraint(["file_id"], ["recon_files.id"], name=op.f("fk_recon_statements_file_id_recon_files")),
    )
    op.create_index("ix_recon_statements_account_date", "recon_statements", ["account_id", "statement_date"])
    op.create_table(
        "recon_lines",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("identity", sa.String(64), nullable=False),
        sa.Column("file_id", sa.String(40), nullable=False),
        sa.Column("statement_id", sa.String(40), nullable=False),
        sa.Column("line_ref", sa.String(60), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("booking_date", sa.String(10), nullable=False),
        sa.Column("direction", sa.String(6), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("type_code", sa.String(40), nullable=True),
        sa.Column("bank_reference", sa.String(200), nullable=True),
        sa.Column("customer_reference", sa.String(200), nullable=True),
        sa.Column("refs", sa.Text(), nullable=False),
        sa.Column("end_to_end_ids", sa.Text(), nullable=False),
        sa.Column("text", sa.String(500), nullable=True),
        sa.Column("is_return", sa.Boolean(), nullable=False),
        sa.Column("return_reason", sa.String(40), nullable=True),
        sa.Column("state", sa.String(12), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recon_lines")),
        sa.ForeignKeyConstraint(["file_id"], ["recon_files.id"], name=op.f("fk_recon_lines_file_id_recon_files")),
        sa.ForeignKeyConstraint(["statement_id"], ["recon_statements.id"], name=op.f("fk_recon_lines_statement_id_recon_statements")),
        sa.UniqueConstraint("identity", name=op.f("uq_recon_lines_identity")),
    )
    open_lines = sa.text("state IN ('unmatched', 'excepted')")
    op.create_index("ix_recon_lines_open", "recon_lines", ["state"], sqlite_where=open_lines,
                    postgresql_where=open_lines)
    op.create_index("ix_recon_lines_account_date", "recon_lines", ["account_id", "booking_date"])
    op.create_table(
        "recon_matches",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("line_id", sa.String(40), nullable=False),
        sa.Column("payment_id", sa.String(40), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("confidence_pct", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("booking_date", sa.String(10), nullable=False),
        sa.Column("posted", sa.Boolean(), nullable=False),
        sa.Column("entry_id", sa.String(40), nullable=True),
        sa.Column("matched_at", sa.String(32), nullable=False),
        sa.Column("matched_by", sa.String(100), nullable=False),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recon_matches")),
        sa.ForeignKeyConstraint(["line_id"], ["recon_lines.id"], name=op.f("fk_recon_matches_line_id_recon_lines")),
        sa.UniqueConstraint("payment_id", "role", name=op.f("uq_recon_matches_payment_role")),
    )
    op.create_index("ix_recon_matches_line_id", "recon_matches", ["line_id"])
    op.create_index("ix_recon_matches_booking_date", "recon_matches", ["booking_date"])
    op.create_table(
        "recon_returns",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("file_id", sa.String(40), nullable=False),
        sa.Column("payment_id", sa.String(40), nullable=True),
        sa.Column("original_trace", sa.String(15), nullable=False),
        sa.Column("return_trace", sa.String(15), nullable=False),
        sa.Column("reason_code", sa.String(3), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("vendor_reason", sa.String(500), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("received_on", sa.String(10), nullable=False),
        sa.Column("date_of_death", sa.String(10), nullable=True),
        sa.Column("account_level", sa.Boolean(), nullable=False),
        sa.Column("settled_before", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("entry_id", sa.String(40), nullable=True),
        sa.Column("credit_line_id", sa.String(40), nullable=True),
        sa.Column("bank_action", sa.String(12), nullable=False),
        sa.Column("bank_action_detail", sa.String(500), nullable=True),
        sa.Column("location", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recon_returns")),
        sa.ForeignKeyConstraint(["file_id"], ["recon_files.id"], name=op.f("fk_recon_returns_file_id_recon_files")),
        sa.UniqueConstraint("original_trace", "return_trace", "reason_code", name=op.f("uq_recon_returns_identity")),
    )
    op.create_index("ix_recon_returns_received_on", "recon_returns", ["received_on"])
    op.create_index("ix_recon_returns_payment_id", "recon_returns", ["payment_id"])
    op.create_table(
        "recon_changes",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("file_id", sa.String(40), nullable=False),
        sa.Column("payment_id", sa.String(40), nullable=True),
        sa.Column("vendor_id", sa.String(40), nullable=True),
        sa.Column("original_trace", sa.String(15), nullable=False),
        sa.Column("notice_trace", sa.String(15), nullable=False),
        sa.Column("change_code", sa.String(3), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("corrected", sa.Text(), nullable=False),
        sa.Column("received_on", sa.String(10), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("change_id", sa.String(40), nullable=True),
        sa.Column("detail", sa.String(500), nullable=True),
        sa.Column("location", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recon_changes")),
        sa.ForeignKeyConstraint(["file_id"], ["recon_files.id"], name=op.f("fk_recon_changes_file_id_recon_files")),
        sa.UniqueConstraint("original_trace", "change_code", "notice_trace", name=op.f("uq_recon_changes_identity")),
    )
    op.create_table(
        "recon_exceptions",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("dedup_key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("line_id", sa.String(40), nullable=True),
        sa.Column("payment_ids", sa.Text(), nullable=False),
        sa.Column("candidates", sa.Text(), nullable=False),
        sa.Column("notice_ref", sa.String(100), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("detail", sa.String(1000), nullable=False),
        sa.Column("opened_at", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("resolved_at", sa.String(32), nullable=True),
        sa.Column("resolved_by", sa.String(100), nullable=True),
        sa.Column("resolution", sa.String(20), nullable=True),
        sa.Column("reason", sa.String(1000), nullable=True),
        sa.Column("write_off_requested_by", sa.String(100), nullable=True),
        sa.Column("write_off_requested_at", sa.String(32), nullable=True),
        sa.Column("write_off_reason", sa.String(1000), nullable=True),
        sa.Column("write_off_account", sa.String(64), nullable=True),
        sa.Column("approved_by", sa.String(100), nullable=True),
        sa.Column("entry_id", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recon_exceptions")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_recon_exceptions_dedup_key")),
    )
    op.create_index("ix_recon_exceptions_line_id", "recon_exceptions", ["line_id"])
    op.create_index("ix_recon_exceptions_status_kind", "recon_exceptions", ["status", "kind"])


def downgrade() -> None:
    op.drop_table("recon_exceptions")
    op.drop_table("recon_changes")
    op.drop_table("recon_returns")
    op.drop_table("recon_matches")
    op.drop_table("recon_lines")
    op.drop_table("recon_statements")
    op.drop_table("recon_files")
