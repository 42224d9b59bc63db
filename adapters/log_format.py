"""Log records as text or one JSON object per line, every record passed through the redacting filter.

Each record also carries the request id of the HTTP request (or the scheduled job fire) it was written for,
taken from a context variable the request middleware sets (``adapters/request_ids.py``): every line of
one request, from the access line to a repository's warning, can be found by that id. The id is stamped after
redaction, because it is known to be safe (a client's own id is accepted only when the redactor would leave it
as it is) and an operator must be able to search for it exactly as the response header gave it.
"""

from __future__ import annotations

import json
import logging

from adapters.request_ids import request_id

# A record's own attributes; anything else came in through ``extra=`` and is written as a field of its own.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id",
                                                                              "color_message"}  # uvicorn's, with ANSI codes


def configure_logging(log_format: str, level: str | int) -> None:
    from adapters.keys.redaction import RedactingFilter

    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s%(request_tag)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    handler.addFilter(RequestIdFilter())  # after the redactor: see the module's docstring
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Alembic announces its plugins and its dialect on every start (each CLI command checks the schema); what a
    # reader wants from it is which migrations ran.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    migration = logging.getLogger("alembic.runtime.migration")
    if _migrations_run not in migration.filters:
        migration.addFilter(_migrations_run)


def _migrations_run(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING or record.getMessage().startswith("Running ")


class RequestIdFilter(logging.Filter):
    """Stamps the current request id (None outside a request) on each record; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        rid = request_id.get()
        record.request_id = rid
        record.request_tag = f" [{rid}]" if rid else ""
        return True


class JsonFormatter(logging.Formatter):
    """One object per line: time, level, logger, message, the request id, and any ``extra=`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name,
               "message": record.getMessage()}
        rid = getattr(record, "request_id", None)
        if rid:
            out["request_id"] = rid
        out.update((k, v) for k, v in vars(record).items() if k not in _STANDARD and k != "request_tag")
        if record.exc_text:
            out["exception"] = record.exc_text
        return json.dumps(out, default=str)


_JsonFormatter = JsonFormatter  # the name it had before it was public
