"""Imports every table module so that ``metadata`` is complete (for Alembic and for tests)."""

from adapters.db import http_tables, ledger_tables, scheduler_tables  # noqa: F401
from adapters.db import payment_tables  # noqa: F401
from adapters.db import recon_tables  # noqa: F401
from adapters.db import identity_tables  # noqa: F401
from adapters.db import ap_tables  # noqa: F401
from adapters.db import portal_tables  # noqa: F401
from adapters.db.meta import metadata

__all__ = ["metadata"]
