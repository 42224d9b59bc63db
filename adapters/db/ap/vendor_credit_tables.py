"""Vendor credits: a credit memo's credit per fund, split between Vouchers payable and Vendor credits receivable,
with what payments have taken of it and what a refund or a write-off cleared (migration 0019_vendor_credits)."""

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Index, String, Table, Text

from adapters.db.meta import metadata

vendor_credits = Table(
    "vendor_credits", metadata,
    Column("credit_memo_id", String(40), ForeignKey("credit_memos.id"), primary_key=True),
    Column("fund", String(20), primary_key=True),
    Column("vendor_id", String(40), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("memo_number", String(80), nullable=False),
    Column("memo_date", Date, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("receivable_minor", BigInteger, nullable=False, default=0),
    # Guarded counters: a payment takes what is open or re-plans; leaving the live set gives it back.
    Column("applied_minor", BigInteger, nullable=False, default=0),
    Column("offset_receivable_minor", BigInteger, nullable=False, default=0),
    Column("cleared_minor", BigInteger, nullable=False, default=0),
    Column("write_off_status", String(12)),
    Column("write_off_requested_by", String(100)),
    Column("write_off_requested_at", String(32)),
    Column("write_off_reason", Text),
    Column("write_off_approved_by", String(100)),
    Column("write_off_approved_at", String(32)),
    Column("write_off_entry_id", String(40)),
)
Index("ix_vendor_credits_vendor", vendor_credits.c.vendor_id, vendor_credits.c.currency)
