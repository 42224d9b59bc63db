"""prompt pay facts: vendors' and purchase orders' prompt-pay terms, disputes and clock stops on invoices

Revision ID: 0020_prompt_pay_facts
Revises: 0016_prompt_pay_rules

``vendor_prompt_pay`` (the payee's kind, the rule set its contracts follow), ``po_prompt_pay`` (federal or grant
money and the day it arrived, the contract's rule set), ``invoice_disputes`` (noticed, resolved for whom, the
corrected invoice's due date) and ``invoice_clock_stops`` (a reason the invoice's act names, from and to). Nothing
existing changes: an invoice without rows here is paid as before.
"""
from alembic import op
import sqlalchemy as sa

revision = "0020_prompt_pay_facts"
down_revision = "0016_prompt_pay_rules"
branch_labels = None
depends_on = None


def _who(prefix: str) -> list[sa.Column]:
    return [sa.Column(f"{prefix}_by", sa.String(100), nullable=True), sa.Column(f"{prefix}_at", sa.String(32), nullable=True)]


def upgrade() -> None:
    op.create_table(
        "vendor_prompt_pay",
        sa.Column("vendor_id", sa.String(40), nullable=False),
        sa.Column("payee_kind", sa.String(20), nullable=True),
        sa.Column("rule_set", sa.String(40), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        *_who("updated"),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendors.id"], name=op.f("fk_vendor_prompt_pay_vendor_id_vendors")),
        sa.PrimaryKeyConstraint("vendor_id", name=op.f("pk_vendor_prompt_pay")),
    )
    op.create_table(
        "po_prompt_pay",
        sa.Column("po_id", sa.String(40), nullable=False),
        sa.Column("federally_funded", sa.Boolean(), nullable=False),
        sa.Column("funds_received_on", sa.Date(), nullable=True),
        sa.Column("rule_set", sa.String(40), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        *_who("updated"),
        sa.ForeignKeyConstraint(["po_id"], ["purchase_orders.id"], name=op.f("fk_po_prompt_pay_po_id_purchase_orders")),
        sa.PrimaryKeyConstraint("po_id", name=op.f("pk_po_prompt_pay")),
    )
    op.create_table(
        "invoice_disputes",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("invoice_id", sa.String(40), nullable=False),
        sa.Column("noticed_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("disputed_minor", sa.BigInteger(), nullable=True),
        sa.Column("hold_id", sa.String(40), nullable=False),
        *_who("opened"),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("resolved_for", sa.String(10), nullable=True),
        sa.Column("corrected_received_on", sa.Date(), nullable=True),
        sa.Column("corrected_due_date", sa.Date(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        *_who("resolved"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_disputes_invoice_id_invoices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_disputes")),
    )
    op.create_index("ix_invoice_disputes_invoice_id", "invoice_disputes", ["invoice_id"])
    op.create_table(
        "invoice_clock_stops",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("invoice_id", sa.String(40), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("from_day", sa.Date(), nullable=False),
        sa.Column("to_day", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        *_who("recorded"),
        *_who("ended"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"],
                                name=op.f("fk_invoice_clock_stops_invoice_id_invoices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_clock_stops")),
    )
    op.create_index("ix_invoice_clock_stops_invoice_id", "invoice_clock_stops", ["invoice_id"])


def downgrade() -> None:
    op.drop_index("ix_invoice_clock_stops_invoice_id", table_name="invoice_clock_stops")
    op.drop_table("invoice_clock_stops")
    op.drop_index("ix_invoice_disputes_invoice_id", table_name="invoice_disputes")
    op.drop_table("invoice_disputes")
    op.drop_table("po_prompt_pay")
    op.drop_table("vendor_prompt_pay")
