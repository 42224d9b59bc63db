"""vendor credits: a credit memo's credit per fund, what payments took of it, Vendor credits receivable

Revision ID: 0019_vendor_credits
Revises: 0016_prompt_pay_rules

A credit memo's credit is deducted from the vendor's next payment(s) (issue 11, defect 1). ``vendor_credits`` holds
each memo's credit per fund: the part posted against Vouchers payable, the part that exceeded it and went to
Vendor credits receivable (``<fund>-1310``), and guarded counters of what live payments took and what a refund or a
write-off cleared. ``payment_credits`` says what each payment took. Credit memos applied before this revision
become credits of their full amount against Vouchers payable, nothing yet taken (they were never deducted).
Every fund that has a Vouchers payable account gains its Vendor credits receivable account.
"""
from alembic import op
import sqlalchemy as sa

revision = "0019_vendor_credits"
down_revision = "0016_prompt_pay_rules"
branch_labels = None
depends_on = ("0006_payments", "0001_ledger")  # never a head here: a head named would collapse in alembic_version


def upgrade() -> None:
    op.create_table(
        "vendor_credits",
        sa.Column("credit_memo_id", sa.String(40), sa.ForeignKey("credit_memos.id"), nullable=False),
        sa.Column("fund", sa.String(20), nullable=False),
        sa.Column("vendor_id", sa.String(40), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("memo_number", sa.String(80), nullable=False),
        sa.Column("memo_date", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("receivable_minor", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("applied_minor", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("offset_receivable_minor", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("cleared_minor", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("write_off_status", sa.String(12), nullable=True),
        sa.Column("write_off_requested_by", sa.String(100), nullable=True),
        sa.Column("write_off_requested_at", sa.String(32), nullable=True),
        sa.Column("write_off_reason", sa.Text(), nullable=True),
        sa.Column("write_off_approved_by", sa.String(100), nullable=True),
        sa.Column("write_off_approved_at", sa.String(32), nullable=True),
        sa.Column("write_off_entry_id", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("credit_memo_id", "fund", name=op.f("pk_vendor_credits")),
    )
    op.create_index("ix_vendor_credits_vendor", "vendor_credits", ["vendor_id", "currency"])
    op.create_table(
        "payment_credits",
        sa.Column("payment_id", sa.String(40), sa.ForeignKey("payments.id"), nullable=False),
        sa.Column("credit_memo_id", sa.String(40), nullable=False),
        sa.Column("fund", sa.String(20), nullable=False),
        sa.Column("memo_number", sa.String(80), nullable=False),
        sa.Column("memo_date", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("receivable_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("payment_id", "credit_memo_id", "fund", name=op.f("pk_payment_credits")),
    )
    op.execute("""
        INSERT INTO vendor_credits (credit_memo_id, fund, vendor_id, currency, memo_number, memo_date, amount_minor,
                                    receivable_minor, applied_minor, offset_receivable_minor, cleared_minor)
        SELECT m.id, p.fund, m.vendor_id, m.currency, m.memo_number, m.memo_date, SUM(l.amount_minor), 0, 0, 0, 0
        FROM credit_memos m
        JOIN credit_memo_lines l ON l.credit_memo_id = m.id
        JOIN po_lines p ON p.po_id = l.po_id AND p.line_no = l.po_line_no
        WHERE m.status = 'applied'
        GROUP BY m.id, p.fund, m.vendor_id, m.currency, m.memo_number, m.memo_date
    """)
    op.execute("""
        INSERT INTO accounts (code, name, type, normal, fund, department, object_code, active)
        SELECT a.fund || '-1310', replace(a.name, 'Vouchers payable', 'Vendor credits receivable'), 'asset', 'debit',
               a.fund, NULL, NULL, a.active
        FROM accounts a
        WHERE a.code = a.fund || '-2010'
          AND NOT EXISTS (SELECT 1 FROM accounts b WHERE b.code = a.fund || '-1310')
    """)


def downgrade() -> None:
    op.drop_table("payment_credits")
    op.drop_index("ix_vendor_credits_vendor", table_name="vendor_credits")
    op.drop_table("vendor_credits")
