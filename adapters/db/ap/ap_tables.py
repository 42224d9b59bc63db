"""Accounts-payable tables: vendors, budgets, purchase orders, receipts, invoices, credit memos, matching.

Money is BIGINT minor units beside a currency column. Quantities are ``Quantity``: a fixed-point decimal kept
as a BIGINT of millionths, because matching sums them in SQL and SQLite has no exact NUMERIC (it would store
and add REALs). Unit prices are never summed and may carry fractions of a minor unit, so they are stored as
their exact decimal text. Dates are ISO dates; instants are RFC 3339 UTC text, as in the ledger tables.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import (BigInteger, Boolean, Column, Date, ForeignKey, Index, Integer, SmallInteger, String, Table,
                        Text, UniqueConstraint, false)
from sqlalchemy.types import TypeDecorator

from adapters.db.meta import metadata
from ledger.errors import CodedError

QUANTITY_SCALE = 6
_SCALE = Decimal(10) ** QUANTITY_SCALE


class QuantityTooPrecise(CodedError, ValueError):
    """A quantity has more than ``QUANTITY_SCALE`` decimal places; callers refuse it before it gets here."""

    code = "quantity_too_precise"


class Quantity(TypeDecorator):
    """An exact decimal with six places, stored as an integer count of millionths (SUM stays exact)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):  # noqa: ANN001, ANN201
        return None if value is None else to_micros(value)

    def process_result_value(self, value, dialect):  # noqa: ANN001, ANN201
        return None if value is None else from_micros(value)


def to_micros(value: Decimal | int | str) -> int:
    scaled = Decimal(value) * _SCALE
    if scaled != scaled.to_integral_value():
        raise QuantityTooPrecise(f"{value} has more than {QUANTITY_SCALE} decimal places")
    return int(scaled)


_FROM_MICROS: dict[int, Decimal] = {}


def from_micros(value: int | Decimal) -> Decimal:
    # Quantities repeat (10 chairs, 1 month); Decimals are immutable, so a bounded memo is safe and saves
    # a Decimal construction per line when a batch loads hundreds of thousands of them.
    found = _FROM_MICROS.get(value)  # type: ignore[arg-type]
    if found is None:
        found = Decimal(int(value)).scaleb(-QUANTITY_SCALE)
        if len(_FROM_MICROS) < 65_536:
            _FROM_MICROS[int(value)] = found
    return found


def _id(name: str = "id") -> Column:
    return Column(name, String(40), primary_key=True)


def _who(prefix: str) -> list[Column]:
    return [Column(f"{prefix}_by", String(100)), Column(f"{prefix}_at", String(32))]


vendors = Table(
    "vendors", metadata,
    _id(),
    Column("number", String(40), unique=True),  # the agency's own vendor number, as ERP exports name it
    Column("legal_name", String(200), nullable=False),
    Column("tin_ciphertext", Text),  # base64 of the AES-GCM blob bound to (vendor id, "vendors.tin")
    Column("tin_last4", String(4)),
    Column("tin_fingerprint", String(64)),  # keyed hash: finds another vendor with the same TIN
    Column("addresses_json", Text, nullable=False, default="[]"),
    Column("contacts_json", Text, nullable=False, default="[]"),
    Column("terms", String(40), nullable=False, default=""),
    Column("is_1099", Boolean, nullable=False, default=False),
    Column("is_individual", Boolean, nullable=False, default=False, server_default=false()),  # 0021
    Column("certifications_json", Text, nullable=False, default="[]"),
    Column("status", String(12), nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("create_digest", String(64), nullable=False),
    *_who("created"), *_who("updated"),
)
Index("ix_vendors_tin_fingerprint", vendors.c.tin_fingerprint)
Index("ix_vendors_legal_name", vendors.c.legal_name)

budgets = Table(
    "budgets", metadata,
    _id(),
    Column("fiscal_year", Integer, nullable=False),
    Column("fund", String(20), nullable=False),
    Column("department", String(20), nullable=False),
    Column("object_code", String(20), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("entry_id", String(40)),  # the journal entry that posted the latest change
    Column("version", Integer, nullable=False, default=1),
    *_who("set"),
    # Kept with every AP posting from the fiscal-year split the entries carry (``ap_postings.budget_effects``).
    Column("encumbered_minor", BigInteger, nullable=False, default=0, server_default="0"),
    Column("expended_minor", BigInteger, nullable=False, default=0, server_default="0"),
    UniqueConstraint("fiscal_year", "fund", "department", "object_code", "currency", name="uq_budgets_coding"),
)

purchase_orders = Table(
    "purchase_orders", metadata,
    _id(),
    Column("number", String(40), nullable=False, unique=True),
    Column("vendor_id", String(40), ForeignKey("vendors.id"), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("max_total_minor", BigInteger),
    Column("total_minor", BigInteger, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("create_digest", String(64), nullable=False),
    *_who("created"), *_who("updated"), *_who("approved"), *_who("closed"),
    Column("close_reason", Text),
    Column("fiscal_year", Integer),  # the appropriation year it is charged to (NULL: entered before 0009)
)
Index("ix_purchase_orders_vendor_id", purchase_orders.c.vendor_id)
Index("ix_purchase_orders_status", purchase_orders.c.status)

purchase_order_versions = Table(
    "purchase_order_versions", metadata,
    Column("po_id", String(40), ForeignKey("purchase_orders.id"), primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("reason", Text, nullable=False, default=""),
    Column("total_minor", BigInteger, nullable=False),
    Column("max_total_minor", BigInteger),
    Column("lines_json", Text, nullable=False),
    Column("entry_id", String(40)),
    *_who("changed"),
)

po_lines = Table(
    "po_lines", metadata,
    Column("po_id", String(40), ForeignKey("purchase_orders.id"), primary_key=True),
    Column("line_no", Integer, primary_key=True, autoincrement=False),
    Column("item", String(200), nullable=False),
    Column("quantity", Quantity, nullable=False),
    Column("unit_of_measure", String(20), nullable=False),
    Column("unit_price_minor", String(40), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("fund", String(20), nullable=False),
    Column("department", String(20), nullable=False),
    Column("object_code", String(20), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("match_level", SmallInteger, nullable=False),
    Column("category", String(40)),
    # Budgetary state of the line: still encumbered, and accrued so far (receipts; 2-way invoices).
    Column("encumbered_minor", BigInteger, nullable=False, default=0),
    Column("accrued_minor", BigInteger, nullable=False, default=0),
)

receipts = Table(
    "receipts", metadata,
    _id(),
    Column("po_id", String(40), ForeignKey("purchase_orders.id"), nullable=False),
    Column("number", String(40)),
    Column("received_on", Date, nullable=False),
    Column("accepted_on", Date),
    Column("status", String(10), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("entry_id", String(40)),
    Column("create_digest", String(64), nullable=False),
    *_who("created"),
)
Index("ix_receipts_po_id", receipts.c.po_id)

receipt_lines = Table(
    "receipt_lines", metadata,
    Column("receipt_id", String(40), ForeignKey("receipts.id"), primary_key=True),
    Column("po_line_no", Integer, primary_key=True, autoincrement=False),
    Column("po_id", String(40), nullable=False),  # the receipt's PO, repeated so line sums need no join
    Column("quantity_received", Quantity, nullable=False),
    Column("quantity_accepted", Quantity),  # NULL until inspected
    Column("amount_minor", BigInteger, nullable=False, default=0),  # accrued: received x PO price
)
Index("ix_receipt_lines_po_line", receipt_lines.c.po_id, receipt_lines.c.po_line_no)

invoices = Table(
    "invoices", metadata,
    _id(),
    Column("vendor_id", String(40), ForeignKey("vendors.id"), nullable=False),
    Column("invoice_number", String(80), nullable=False),
    Column("number_normalized", String(80), nullable=False),
    Column("invoice_date", Date),
    Column("received_on", Date),
    Column("currency", String(3), nullable=False),
    Column("terms", String(40), nullable=False, default=""),
    Column("stated_total_minor", BigInteger),
    Column("total_minor", BigInteger, nullable=False),
    Column("remit_to", Text, nullable=False, default=""),
    Column("defect_contact", Text, nullable=False, default=""),
    Column("file_digest", String(64)),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("create_digest", String(64), nullable=False),
    *_who("entered"), *_who("last_changed"),
    Column("match_result_id", String(40)),
    Column("match_digest", String(64)),
    Column("policy_version", String(64)),
    # The prompt-pay clock (5 CFR 1315), set when the invoice is proper and something was delivered.
    Column("pp_acceptance_date", Date),
    Column("pp_receipt_date", Date),
    Column("pp_due_date", Date),
    Column("pp_policy_version", String(64)),
    Column("pp_rule", String(80)),  # the prompt-payment rule set, "name@version[/category]" (0016)
    # An improper invoice: its defects and the date the notice must go out by.
    Column("defects_json", Text),
    Column("return_by", Date),
    *_who("returned"),
    Column("approval_entry_id", String(40)),
    Column("approved_at", String(32)),
)
Index("ix_invoices_duplicate_number", invoices.c.vendor_id, invoices.c.number_normalized)
Index("ix_invoices_duplicate_amount", invoices.c.vendor_id, invoices.c.currency, invoices.c.total_minor,
      invoices.c.invoice_date)
Index("ix_invoices_file_digest", invoices.c.file_digest)
# Keyset pages of one status or one vendor, in id order (migration 0024_invoice_list_indexes).
Index("ix_invoices_status_id", invoices.c.status, invoices.c.id)
Index("ix_invoices_vendor_id_id", invoices.c.vendor_id, invoices.c.id)

invoice_lines = Table(
    "invoice_lines", metadata,
    Column("invoice_id", String(40), ForeignKey("invoices.id"), primary_key=True),
    Column("line_no", Integer, primary_key=True, autoincrement=False),
    Column("po_id", String(40)),  # no foreign key: an unknown reference is a defect matching reports
    Column("po_line_no", Integer),
    Column("quantity", Quantity, nullable=False),
    Column("unit_price_minor", String(40), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("unit_of_measure", String(20)),
)
Index("ix_invoice_lines_po_line", invoice_lines.c.po_id, invoice_lines.c.po_line_no)

credit_memos = Table(
    "credit_memos", metadata,
    _id(),
    Column("vendor_id", String(40), ForeignKey("vendors.id"), nullable=False),
    Column("memo_number", String(80), nullable=False),
    Column("memo_date", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(12), nullable=False),
    Column("invoice_id", String(40), ForeignKey("invoices.id")),
    Column("total_minor", BigInteger, nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("entry_id", String(40)),
    Column("create_digest", String(64), nullable=False),
    *_who("created"),
    UniqueConstraint("vendor_id", "memo_number", name="uq_credit_memos_vendor_number"),
)

credit_memo_lines = Table(
    "credit_memo_lines", metadata,
    Column("credit_memo_id", String(40), ForeignKey("credit_memos.id"), primary_key=True),
    Column("line_no", Integer, primary_key=True, autoincrement=False),
    Column("po_id", String(40), nullable=False),
    Column("po_line_no", Integer, nullable=False),
    Column("quantity", Quantity, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
)
Index("ix_credit_memo_lines_po_line", credit_memo_lines.c.po_id, credit_memo_lines.c.po_line_no)

match_results = Table(
    "match_results", metadata,
    _id(),
    Column("invoice_id", String(40), ForeignKey("invoices.id"), nullable=False),
    Column("invoice_version", Integer, nullable=False),
    Column("matched_at", String(32), nullable=False),
    Column("trigger", String(40), nullable=False),
    Column("policy_version", String(64), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("findings_json", Text, nullable=False),
    Column("status_after", String(16), nullable=False),
)
Index("ix_match_results_invoice_id", match_results.c.invoice_id)

invoice_holds = Table(
    "invoice_holds", metadata,
    _id(),
    Column("invoice_id", String(40), ForeignKey("invoices.id"), nullable=False),
    Column("hold", String(30), nullable=False),
    Column("rule", String(40), nullable=False),
    Column("subject", String(160), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("finding_json", Text, nullable=False),
    Column("status", String(10), nullable=False),  # open | released
    Column("raised_at", String(32), nullable=False),
    Column("match_result_id", String(40), nullable=False),
    Column("released_at", String(32)),
    Column("released_by", String(100)),
    Column("release_kind", String(8)),  # auto | manual
    Column("reason", Text),
)
Index("ix_invoice_holds_invoice_status", invoice_holds.c.invoice_id, invoice_holds.c.status)
# The open holds by kind, read from the index alone (migration 0024_invoice_list_indexes).
Index("ix_invoice_holds_open_kinds", invoice_holds.c.status, invoice_holds.c.hold, invoice_holds.c.raised_at,
      invoice_holds.c.invoice_id)

# Open holds per kind and shard (the invoice id's last character), kept by triggers on invoice_holds in the same
# transaction as every change to a hold (migration 0025_open_hold_counts); the home page's counts read these.
open_hold_counts = Table(
    "open_hold_counts", metadata,
    Column("hold", String(30), primary_key=True),
    Column("shard", String(1), primary_key=True),
    Column("holds", Integer, nullable=False),  # holds of this kind open
    Column("invoices", Integer, nullable=False),  # invoices with at least one of them open
)

invoice_approvals = Table(
    "invoice_approvals", metadata,
    Column("invoice_id", String(40), ForeignKey("invoices.id"), primary_key=True),
    Column("invoice_version", Integer, primary_key=True, autoincrement=False),
    Column("approver_id", String(100), primary_key=True),
    Column("approved_at", String(32), nullable=False),
)
# A person's approvals by seek, in invoice order: "awaiting my approval" (0027_approvals_by_approver).
Index("ix_invoice_approvals_approver", invoice_approvals.c.approver_id, invoice_approvals.c.invoice_id,
      invoice_approvals.c.invoice_version)
