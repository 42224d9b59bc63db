"""accounts payable: vendors, budgets, purchase orders, receipts, invoices, credit memos, matching, holds, approvals

Revision ID: 0005_ap
Revises: 0003_scheduler
Create Date: 2026-11-25 20:49:35.341358
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_ap'
down_revision = "0003_scheduler"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('budgets',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('fund', sa.String(length=20), nullable=False),
    sa.Column('department', sa.String(length=20), nullable=False),
    sa.Column('object_code', sa.String(length=20), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('entry_id', sa.String(length=40), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('set_by', sa.String(length=100), nullable=True),
    sa.Column('set_at', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budgets')),
    sa.UniqueConstraint('fiscal_year', 'fund', 'department', 'object_code', 'currency', name='uq_budgets_coding')
    )
    op.create_table('vendors',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=True),
    sa.Column('legal_name', sa.String(length=200), nullable=False),
    sa.Column('tin_ciphertext', sa.Text(), nullable=True),
    sa.Column('tin_last4', sa.String(length=4), nullable=True),
    sa.Column('tin_fingerprint', sa.String(length=64), nullable=True),
    sa.Column('addresses_json', sa.Text(), nullable=False),
    sa.Column('contacts_json', sa.Text(), nullable=False),
    sa.Column('terms', sa.String(length=40), nullable=False),
    sa.Column('is_1099', sa.Boolean(), nullable=False),
    sa.Column('certifications_json', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('create_digest', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=True),
    sa.Column('updated_by', sa.String(length=100), nullable=True),
    sa.Column('updated_at', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendors')),
    sa.UniqueConstraint('number', name=op.f('uq_vendors_number'))
    )
    with op.batch_alter_table('vendors', schema=None) as batch_op:
        batch_op.create_index('ix_vendors_legal_name', ['legal_name'], unique=False)
        batch_op.create_index('ix_vendors_tin_fingerprint', ['tin_fingerprint'], unique=False)

    op.create_table('invoices',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('vendor_id', sa.String(length=40), nullable=False),
    sa.Column('invoice_number', sa.String(length=80), nullable=False),
    sa.Column('number_normalized', sa.String(length=80), nullable=False),
    sa.Column('invoice_date', sa.Date(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('terms', sa.String(length=40), nullable=False),
    sa.Column('stated_total_minor', sa.BigInteger(), nullable=True),
    sa.Column('total_minor', sa.BigInteger(), nullable=False),
    sa.Column('remit_to', sa.Text(), nullable=False),
    sa.Column('defect_contact', sa.Text(), nullable=False),
    sa.Column('file_digest', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('create_digest', sa.String(length=64), nullable=False),
    sa.Column('entered_by', sa.String(length=100), nullable=True),
    sa.Column('entered_at', sa.String(length=32), nullable=True),
    sa.Column('last_changed_by', sa.String(length=100), nullable=True),
    sa.Column('last_changed_at', sa.String(length=32), nullable=True),
    sa.Column('match_result_id', sa.String(length=40), nullable=True),
    sa.Column('match_digest', sa.String(length=64), nullable=True),
    sa.Column('policy_version', sa.String(length=64), nullable=True),
    sa.Column('pp_acceptance_date', sa.Date(), nullable=True),
    sa.Column('pp_receipt_date', sa.Date(), nullable=True),
    sa.Column('pp_due_date', sa.Date(), nullable=True),
    sa.Column('pp_policy_version', sa.String(length=64), nullable=True),
    sa.Column('defects_json', sa.Text(), nullable=True),
    sa.Column('return_by', sa.Date(), nullable=True),
    sa.Column('returned_by', sa.String(length=100), nullable=True),
    sa.Column('returned_at', sa.String(length=32), nullable=True),
    sa.Column('approval_entry_id', sa.String(length=40), nullable=True),
    sa.Column('approved_at', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_invoices_vendor_id_vendors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoices'))
    )
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index('ix_invoices_duplicate_amount', ['vendor_id', 'currency', 'total_minor', 'invoice_date'], unique=False)
        batch_op.create_index('ix_invoices_duplicate_number', ['vendor_id', 'number_normalized'], unique=False)
        batch_op.create_index('ix_invoices_file_digest', ['file_digest'], unique=False)
        batch_op.create_index('ix_invoices_status', ['status'], unique=False)

    op.create_table('purchase_orders',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('vendor_id', sa.String(length=40), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('max_total_minor', sa.BigInteger(), nullable=True),
    sa.Column('total_minor', sa.BigInteger(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('create_digest', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=True),
    sa.Column('updated_by', sa.String(length=100), nullable=True),
    sa.Column('updated_at', sa.String(length=32), nullable=True),
    sa.Column('approved_by', sa.String(length=100), nullable=True),
    sa.Column('approved_at', sa.String(length=32), nullable=True),
    sa.Column('closed_by', sa.String(length=100), nullable=True),
    sa.Column('closed_at', sa.String(length=32), nullable=True),
    sa.Column('close_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_purchase_orders_vendor_id_vendors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_orders')),
    sa.UniqueConstraint('number', name=op.f('uq_purchase_orders_number'))
    )
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.create_index('ix_purchase_orders_status', ['status'], unique=False)
        batch_op.create_index('ix_purchase_orders_vendor_id', ['vendor_id'], unique=False)

    op.create_table('credit_memos',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('vendor_id', sa.String(length=40), nullable=False),
    sa.Column('memo_number', sa.String(length=80), nullable=False),
    sa.Column('memo_date', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('invoice_id', sa.String(length=40), nullable=True),
    sa.Column('total_minor', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('entry_id', sa.String(length=40), nullable=True),
    sa.Column('create_digest', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_credit_memos_invoice_id_invoices')),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_credit_memos_vendor_id_vendors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_memos')),
    sa.UniqueConstraint('vendor_id', 'memo_number', name='uq_credit_memos_vendor_number')
    )
    op.create_table('invoice_approvals',
    sa.Column('invoice_id', sa.String(length=40), nullable=False),
    sa.Column('invoice_version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('approver_id', sa.String(length=100), nullable=False),
    sa.Column('approved_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_invoice_approvals_invoice_id_invoices')),
    sa.PrimaryKeyConstraint('invoice_id', 'invoice_version', 'approver_id', name=op.f('pk_invoice_approvals'))
    )
    op.create_table('invoice_holds',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('invoice_id', sa.String(length=40), nullable=False),
    sa.Column('hold', sa.String(length=30), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=160), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('finding_json', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('raised_at', sa.String(length=32), nullable=False),
    sa.Column('match_result_id', sa.String(length=40), nullable=False),
    sa.Column('released_at', sa.String(length=32), nullable=True),
    sa.Column('released_by', sa.String(length=100), nullable=True),
    sa.Column('release_kind', sa.String(length=8), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_invoice_holds_invoice_id_invoices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_holds'))
    )
    with op.batch_alter_table('invoice_holds', schema=None) as batch_op:
        batch_op.create_index('ix_invoice_holds_invoice_status', ['invoice_id', 'status'], unique=False)

    op.create_table('invoice_lines',
    sa.Column('invoice_id', sa.String(length=40), nullable=False),
    sa.Column('line_no', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('po_id', sa.String(length=40), nullable=True),
    sa.Column('po_line_no', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('unit_price_minor', sa.String(length=40), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('unit_of_measure', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_invoice_lines_invoice_id_invoices')),
    sa.PrimaryKeyConstraint('invoice_id', 'line_no', name=op.f('pk_invoice_lines'))
    )
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.create_index('ix_invoice_lines_po_line', ['po_id', 'po_line_no'], unique=False)

    op.create_table('match_results',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('invoice_id', sa.String(length=40), nullable=False),
    sa.Column('invoice_version', sa.Integer(), nullable=False),
    sa.Column('matched_at', sa.String(length=32), nullable=False),
    sa.Column('trigger', sa.String(length=40), nullable=False),
    sa.Column('policy_version', sa.String(length=64), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('findings_json', sa.Text(), nullable=False),
    sa.Column('status_after', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_match_results_invoice_id_invoices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_results'))
    )
    with op.batch_alter_table('match_results', schema=None) as batch_op:
        batch_op.create_index('ix_match_results_invoice_id', ['invoice_id'], unique=False)

    op.create_table('po_lines',
    sa.Column('po_id', sa.String(length=40), nullable=False),
    sa.Column('line_no', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('item', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('unit_of_measure', sa.String(length=20), nullable=False),
    sa.Column('unit_price_minor', sa.String(length=40), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('fund', sa.String(length=20), nullable=False),
    sa.Column('department', sa.String(length=20), nullable=False),
    sa.Column('object_code', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('match_level', sa.SmallInteger(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('encumbered_minor', sa.BigInteger(), nullable=False),
    sa.Column('accrued_minor', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['po_id'], ['purchase_orders.id'], name=op.f('fk_po_lines_po_id_purchase_orders')),
    sa.PrimaryKeyConstraint('po_id', 'line_no', name=op.f('pk_po_lines'))
    )
    op.create_table('purchase_order_versions',
    sa.Column('po_id', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('total_minor', sa.BigInteger(), nullable=False),
    sa.Column('max_total_minor', sa.BigInteger(), nullable=True),
    sa.Column('lines_json', sa.Text(), nullable=False),
    sa.Column('entry_id', sa.String(length=40), nullable=True),
    sa.Column('changed_by', sa.String(length=100), nullable=True),
    sa.Column('changed_at', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['po_id'], ['purchase_orders.id'], name=op.f('fk_purchase_order_versions_po_id_purchase_orders')),
    sa.PrimaryKeyConstraint('po_id', 'version', name=op.f('pk_purchase_order_versions'))
    )
    op.create_table('receipts',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('po_id', sa.String(length=40), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('entry_id', sa.String(length=40), nullable=True),
    sa.Column('create_digest', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['po_id'], ['purchase_orders.id'], name=op.f('fk_receipts_po_id_purchase_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipts'))
    )
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.create_index('ix_receipts_po_id', ['po_id'], unique=False)

    op.create_table('credit_memo_lines',
    sa.Column('credit_memo_id', sa.String(length=40), nullable=False),
    sa.Column('line_no', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('po_id', sa.String(length=40), nullable=False),
    sa.Column('po_line_no', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['credit_memo_id'], ['credit_memos.id'], name=op.f('fk_credit_memo_lines_credit_memo_id_credit_memos')),
    sa.PrimaryKeyConstraint('credit_memo_id', 'line_no', name=op.f('pk_credit_memo_lines'))
    )
    with op.batch_alter_table('credit_memo_lines', schema=None) as batch_op:
        batch_op.create_index('ix_credit_memo_lines_po_line', ['po_id', 'po_line_no'], unique=False)

    op.create_table('receipt_lines',
    sa.Column('receipt_id', sa.String(length=40), nullable=False),
    sa.Column('po_line_no', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('po_id', sa.String(length=40), nullable=False),
    sa.Column('quantity_received', sa.BigInteger(), nullable=False),
    sa.Column('quantity_accepted', sa.BigInteger(), nullable=True),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['receipt_id'], ['receipts.id'], name=op.f('fk_receipt_lines_receipt_id_receipts')),
    sa.PrimaryKeyConstraint('receipt_id', 'po_line_no', name=op.f('pk_receipt_lines'))
    )
    with op.batch_alter_table('receipt_lines', schema=None) as batch_op:
        batch_op.create_index('ix_receipt_lines_po_line', ['po_id', 'po_line_no'], unique=False)


def downgrade() -> None:
    op.drop_table('receipt_lines')
    op.drop_table('credit_memo_lines')
    op.drop_table('receipts')
    op.drop_table('purchase_order_versions')
    op.drop_table('po_lines')
    op.drop_table('match_results')
    op.drop_table('invoice_lines')
    op.drop_table('invoice_holds')
    op.drop_table('invoice_approvals')
    op.drop_table('credit_memos')
    op.drop_table('purchase_orders')
    op.drop_table('invoices')
    op.drop_table('vendors')
    op.drop_table('budgets')
