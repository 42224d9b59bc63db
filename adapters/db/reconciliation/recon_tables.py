"""Tables behind treasury reconciliation: imported files, statements and their lines, matches, returns, NOCs,
and the exceptions queue.

Idempotency lives in UNIQUE constraints, not only in code: a file by its SHA-256 digest, a statement line by
its identity (account, booking date, bank reference or content), a return by (original trace, return trace,
code), a NOC by (original trace, code, notice trace), and a payment can be settled by one statement line only
(``recon_matches`` UNIQUE (payment_id, role)). No foreign keys point at the payment tables: this feature's
migration branches from the scheduler's and must not depend on another feature's order of arrival.
Dates are ISO text (``YYYY-MM-DD``), times RFC 3339 text, like the other tables.
"""

from sqlalchemy import (BigInteger, Boolean, Column, ForeignKey, Index, Integer, LargeBinary, String, Table, Text,
                        UniqueConstraint)

from adapters.db.meta import metadata

recon_files = Table(
    "recon_files", metadata,
    Column("id", String(40), primary_key=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("format", String(20), nullable=False),
    Column("name", String(200)),
    Column("message_id", String(200)),
    Column("imported_at", String(32), nullable=False),
    Column("imported_by", String(100), nullable=False),
    Column("summary", Text, nullable=False),  # JSON: counts and findings, what the import said
)

recon_statements = Table(
    "recon_statements", metadata,
    Column("id", String(40), primary_key=True),
    Column("file_id", String(40), ForeignKey("recon_files.id"), nullable=False),
    Column("account_id", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("statement_date", String(10)),
    Column("opening_balance_minor", BigInteger),
    Column("closing_balance_minor", BigInteger),
    Column("statement_ref", String(200)),
    Column("interim", Boolean, nullable=False),
)
Index("ix_recon_statements_account_date", recon_statements.c.account_id, recon_statements.c.statement_date)

recon_lines = Table(
    "recon_lines", metadata,
    Column("id", String(40), primary_key=True),
    Column("identity", LargeBinary(32), nullable=False, unique=True),  # SHA-256 of the line's identity text
    Column("file_id", String(40), ForeignKey("recon_files.id"), nullable=False),
    Column("statement_id", String(40), ForeignKey("recon_statements.id"), nullable=False),
    Column("line_ref", String(60), nullable=False),
    Column("account_id", String(64), nullable=False),
    Column("booking_date", String(10), nullable=False),
    Column("direction", String(6), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("type_code", String(40)),
    Column("bank_reference", String(200)),
    Column("customer_reference", String(200)),
    Column("refs", Text, nullable=False),  # space-separated references the matcher tries, in order
    Column("end_to_end_ids", Text, nullable=False),  # space-separated
    Column("text", String(500)),
    Column("is_return", Boolean, nullable=False),
    Column("return_reason", String(40)),
    Column("state", String(12), nullable=False),  # unmatched | matched | excepted | written_off | resolved
)
# Partial: only the few open lines are indexed (the matcher reads them on every run); a matched line leaves it.
Index("ix_recon_lines_open", recon_lines.c.state, sqlite_where=recon_lines.c.state.in_(("unmatched", "excepted")),
      postgresql_where=recon_lines.c.state.in_(("unmatched", "excepted")))
Index("ix_recon_lines_account_date", recon_lines.c.account_id, recon_lines.c.booking_date)

recon_matches = Table(
    "recon_matches", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("line_id", String(40), ForeignKey("recon_lines.id"), nullable=False),
    Column("payment_id", String(40), nullable=False),
    Column("role", String(16), nullable=False),  # settlement | return_credit
    Column("method", String(20), nullable=False),
    Column("confidence_pct", Integer, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),  # this payment's share of the line
    Column("currency", String(3), nullable=False),
    Column("booking_date", String(10), nullable=False),
    Column("posted", Boolean, nullable=False),  # whether this match moved the ledger (a payment_settled share)
    Column("entry_id", String(40)),
    Column("matched_at", String(32), nullable=False),
    Column("matched_by", String(100), nullable=False),
    Column("reason", String(500)),
    UniqueConstraint("payment_id", "role", name="uq_recon_matches_payment_role"),
)
Index("ix_recon_matches_line_id", recon_matches.c.line_id)
Index("ix_recon_matches_booking_date", recon_matches.c.booking_date)

recon_returns = Table(
    "recon_returns", metadata,
    Column("id", String(40), primary_key=True),
    Column("file_id", String(40), ForeignKey("recon_files.id"), nullable=False),
    Column("payment_id", String(40)),
    Column("original_trace", String(15), nullable=False),
    Column("return_trace", String(15), nullable=False),
    Column("reason_code", String(3), nullable=False),
    Column("reason", String(200), nullable=False),
    Column("vendor_reason", String(500), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("received_on", String(10), nullable=False),
    Column("date_of_death", String(10)),
    Column("account_level", Boolean, nullable=False),
    Column("settled_before", Boolean, nullable=False),
    Column("state", String(12), nullable=False),  # posted | replay | exception
    Column("entry_id", String(40)),
    Column("credit_line_id", String(40)),
    Column("bank_action", String(12), nullable=False),  # none | pending | done | failed
    Column("bank_action_detail", String(500)),
    Column("location", String(40), nullable=False),
    UniqueConstraint("original_trace", "return_trace", "reason_code", name="uq_recon_returns_identity"),
)
Index("ix_recon_returns_payment_id", recon_returns.c.payment_id)
Index("ix_recon_returns_received_on", recon_returns.c.received_on)

recon_changes = Table(
    "recon_changes", metadata,
    Column("id", String(40), primary_key=True),
    Column("file_id", String(40), ForeignKey("recon_files.id"), nullable=False),
    Column("payment_id", String(40)),
    Column("vendor_id", String(40)),
    Column("original_trace", String(15), nullable=False),
    Column("notice_trace", String(15), nullable=False),
    Column("change_code", String(3), nullable=False),
    Column("reason", String(200), nullable=False),
    Column("corrected", Text, nullable=False),  # JSON, masked: never the full account number
    Column("received_on", String(10), nullable=False),
    Column("state", String(12), nullable=False),  # proposed | pending | exception | failed
    Column("change_id", String(40)),  # the bank-account change request it became
    Column("detail", String(500)),
    Column("location", String(40), nullable=False),
    UniqueConstraint("original_trace", "change_code", "notice_trace", name="uq_recon_changes_identity"),
)

recon_exceptions = Table(
    "recon_exceptions", metadata,
    Column("id", String(40), primary_key=True),
    Column("dedup_key", String(200), nullable=False, unique=True),  # one exception per line / payment / notice
    Column("kind", String(24), nullable=False),
    Column("status", String(12), nullable=False),  # open | resolved | written_off
    Column("line_id", String(40)),
    Column("payment_ids", Text, nullable=False),  # space-separated
    Column("candidates", Text, nullable=False),  # space-separated
    Column("notice_ref", String(100)),
    Column("amount_minor", BigInteger, nullable=False),  # signed: credits positive, debits negative
    Column("currency", String(3), nullable=False),
    Column("detail", String(1000), nullable=False),
    Column("opened_at", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("resolved_at", String(32)),
    Column("resolved_by", String(100)),
    Column("resolution", String(20)),  # manual_match | explained | written_off
    Column("reason", String(1000)),
    Column("write_off_requested_by", String(100)),
    Column("write_off_requested_at", String(32)),
    Column("write_off_reason", String(1000)),
    Column("write_off_account", String(64)),
    Column("approved_by", String(100)),
    Column("entry_id", String(40)),
)
Index("ix_recon_exceptions_status_kind", recon_exceptions.c.status, recon_exceptions.c.kind)
Index("ix_recon_exceptions_line_id", recon_exceptions.c.line_id)
