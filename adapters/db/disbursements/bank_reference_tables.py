"""The bank's own reference for a payment, as a rail's status report gave it (migration 0026_payment_bank_refs)."""

from sqlalchemy import Column, ForeignKey, String, Table

from adapters.db.meta import metadata

payment_bank_references = Table(
    "payment_bank_references", metadata,
    Column("payment_id", String(40), ForeignKey("payments.id"), primary_key=True),
    Column("reference", String(35), nullable=False),  # ISO 20022 Max35Text (pain.002 AcctSvcrRef)
    Column("source", String(20), nullable=False),  # "status_report"
    Column("learned_at", String(32), nullable=False),
)
