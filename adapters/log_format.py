"""Log records as text or one JSON object per line, every record passed through the redacting filter."""

from __future__ import annotations

import json
import logging


def configure_logging(log_format: str, level: str | int) -> None:
    from adapters.keys.redaction import RedactingFilter

    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
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


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps({"time": self.formatTime(record), "level": record.levelname, "logger": record.name,
                           "message": record.getMessage()})
