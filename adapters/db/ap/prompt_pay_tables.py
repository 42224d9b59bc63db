"""Prompt-pay facts beside the AP documents (migration 0020_prompt_pay_facts): vendors' and purchase orders' terms,
disputes and clock stops (``payments.ap.prompt_pay_records``). Dates are ISO dates; instants RFC 3339 UTC text."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text

from adapters.db.meta import metadata


def _who(prefix: str) -> list[Column]:
    return [Column(f"{prefix}_by", String(100)), Column(f"{prefix}_at", String(32))]


vendor_prompt_pay = Table(
    "vendor_prompt_pay", metadata,
    Column("vendor_id", String(40), ForeignKey("vendors.id"), primary_key=True),
    Column("payee_kind", String(20)),  # government | state_agency | employee; NULL: a business
    Column("rule_set", String(40)),  # the rule set its contracts follow; NULL: the agency's
    Column("version", Integer, nullable=False),
    *_who("updated"),
)

po_prompt_pay = Table(
    "po_prompt_pay", metadata,
    Column("po_id", String(40), ForeignKey("purchase_orders.id"), primary_key=True),
    Column("federally_funded", Boolean, nullable=False),
    Column("funds_received_on", Date),
    Column("rule_set", String(40)),
    Column("version", Integer, nullable=False),
    *_who("updated"),
)

invoice_disputes = Table(
    "invoice_disputes", metadata,
    Column("id", String(40), primary_key=True),
    Column("invoice_id", String(40), ForeignKey("invoices.id"), nullable=False),
    Column("noticed_on", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("disputed_minor", BigInteger),
    Column("hold_id", String(40), nullable=False),
    *_who("opened"),
    Column("status", String(10), nullable=False),  # open | resolved
    Column("resolved_on", Date),
    Column("resolved_for", String(10)),  # agency | vendor
    Column("corrected_received_on", Date),
    Column("corrected_due_date", Date),
    Column("resolution", Text, nullable=False, default=""),
    *_who("resolved"),
)
Index("ix_invoice_disputes_invoice_id", invoice_disputes.c.invoice_id)

invoice_clock_stops = Table(
    "invoice_clock_stops", metadata,
    Column("id", String(40), primary_key=True),
    Column("invoice_id", String(40), ForeignKey("invoices.id"), nullable=False),
    Column("reason", String(40), nullable=False),
    Column("from_day", Date, nullable=False),
    Column("to_day", Date),
    Column("note", Text, nullable=False, default=""),
    *_who("recorded"),
    *_who("ended"),
)
Index("ix_invoice_clock_stops_invoice_id", invoice_clock_stops.c.invoice_id)
