"""The id of the request (or scheduled job fire) being served, for every log line written while serving it.

Set by the HTTP request middleware (``adapters/http/request_context.py``) and by the scheduler for each fire; read
by the log filter (``adapters/log_format.py``) and by problem bodies. Its own module so that every adapter can read
it without importing another adapter.
"""

from __future__ import annotations

import contextvars

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("disburse_request_id", default=None)
