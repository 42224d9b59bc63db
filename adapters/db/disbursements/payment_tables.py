"""Tables behind payment runs: runs, their releases, payments, payment items, submissions and the outbox.

Exactly once is enforced here as well as in code: ``payment_items.live_invoice_id`` holds the invoice id while
its payment is live and NULL once the payment failed, was returned or cancelled, and it is UNIQUE, so no
two live payments can ever hold one invoice whatever the processes race. The same trick keeps one live
prenote per bank account (``payments.live_prenote_account_id``).
"""

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from adapters.db.meta import metadata

payment_runs = Table(
    "payment_runs", metadata,
    Column("id", String(40), primary_key=True),
    Column("run_key", String(120), unique=True),  # one run per scheduled fire / idempotent request
    Column("run_date", String(10), nullable=False),
    Column("effective_date", String(10), nullable=False),
    Column("status", String(12), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("rail", String(40), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("total_minor", BigInteger, nullable=False),
    Column("payment_count", Integer, nullable=False),
    Column("required_releases", Integer, nullable=False),
    Column("submission_id", String(40)),
    Column("skipped", Text),  # JSON: why approved invoices were left out
    Column("same_day", Boolean, nullable=False, default=False),  # asked for same-day settlement (0010)
    Column("redated", Text),  # JSON: why and how its payments were re-dated at submission (0011)
    Column("updated_at", String(32), nullable=False),
)
Index("ix_payment_runs_status", payment_runs.c.status)

payment_run_releases = Table(
    "payment_run_releases", metadata,
    Column("run_id", String(40), ForeignKey("payment_runs.id"), primary_key=True),
    Column("user_id", String(100), primary_key=True),  # a second release by the same person cannot be stored
    Column("released_at", String(32), nullable=False),
)

payments = Table(
    "payments", metadata,
    Column("id", String(40), primary_key=True),
    Column("run_id", String(40), ForeignKey("payment_runs.id"), nullable=False),
    Column("vendor_id", String(40), nullable=False),
    Column("account_id", String(40), nullable=False),
    Column("payee_name", String(200), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("kind", String(10), nullable=False),
    Column("sec_code", String(3), nullable=False),
    Column("status", String(12), nullable=False),
    Column("effective_date", String(10), nullable=False),
    Column("trace_number", String(15)),
    Column("submission_id", String(40)),
    Column("status_reason", String(200)),
    Column("live_prenote_account_id", String(40), unique=True),
    Column("same_day", Boolean, nullable=False, default=False),  # dated to settle the day it is sent (0010)
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
)
Index("ix_payments_run_id", payments.c.run_id)
Index("ix_payments_status", payments.c.status)
Index("ix_payments_account_id", payments.c.account_id)
Index("ix_payments_trace_number", payments.c.trace_number)  # statement lines name payments by trace

payment_items = Table(
    "payment_items", metadata,
    Column("payment_id", String(40), ForeignKey("payments.id"), primary_key=True),
    Column("invoice_id", String(40), primary_key=True),
    Column("live_invoice_id", String(40), unique=True),  # = invoice_id while the payment is live, else NULL
    Column("invoice_number", String(80), nullable=False),
    Column("invoice_date", String(10)),
    Column("due_date", String(10)),
    Column("amount_minor", BigInteger, nullable=False),
    Column("discount_minor", BigInteger, nullable=False),
    Column("interest_minor", BigInteger, nullable=False),
    Column("fund", String(20), nullable=False),
    Column("expenditure_account", String(64)),
    Column("approver_ids", Text, nullable=False),  # JSON list: the releaser must not be one of them
    Column("interest_rule", String(80)),  # the prompt-payment rule set of the interest (0016); NULL: federal
)
Index("ix_payment_items_invoice_id", payment_items.c.invoice_id)
# Reconciliation reads the fund of a payment's invoices from the index alone (migration 0014_recon_items_fund).
Index("ix_payment_items_payment_fund", payment_items.c.payment_id, payment_items.c.fund)

payment_submissions = Table(
    "payment_submissions", metadata,
    Column("id", String(40), primary_key=True),  # derived from the run id: the rail's dedup key
    Column("run_id", String(40), ForeignKey("payment_runs.id"), nullable=False, unique=True),
    Column("rail", String(40), nullable=False),
    Column("state", String(12), nullable=False),
    Column("reference", String(200)),
    Column("attempts", Integer, nullable=False),
    Column("detail", Text),
    Column("lease_holder", String(100)),
    Column("lease_until", String(32)),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
)
Index("ix_payment_submissions_state", payment_submissions.c.state)

payment_outbox = Table(
    "payment_outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("topic", String(60), nullable=False),
    Column("key", String(120), nullable=False, unique=True),
    Column("payload", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("processed_at", String(32)),
)
