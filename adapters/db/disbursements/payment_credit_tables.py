"""What each payment took of its vendor's open credits (migration 0019_vendor_credits)."""

from sqlalchemy import BigInteger, Column, Date, ForeignKey, String, Table

from adapters.db.meta import metadata

payment_credits = Table(
    "payment_credits", metadata,
    Column("payment_id", String(40), ForeignKey("payments.id"), primary_key=True),
    Column("credit_memo_id", String(40), primary_key=True),
    Column("fund", String(20), primary_key=True),
    Column("memo_number", String(80), nullable=False),
    Column("memo_date", Date, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),  # taken in all
    Column("receivable_minor", BigInteger, nullable=False),  # of it, from Vendor credits receivable
)
