"""Imports every table module so that ``metadata`` is complete (for Alembic and for tests)."""

from adapters.db import http_tables  # noqa: F401
from adapters.db.ap import ap_tables, prompt_pay_tables, vendor_credit_tables  # noqa: F401
from adapters.db.disbursements import bank_reference_tables, payment_credit_tables, payment_tables  # noqa: F401
from adapters.db.ledger import ledger_tables  # noqa: F401
from adapters.db.people import identity_tables  # noqa: F401
from adapters.db.portal import portal_tables  # noqa: F401
from adapters.db.reconciliation import recon_tables  # noqa: F401
from adapters.db.scheduler import scheduler_tables  # noqa: F401
from adapters.db.meta import metadata

__all__ = ["metadata"]
