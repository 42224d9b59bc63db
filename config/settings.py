"""Settings from the environment (read once, by main.py) and the optional TOML policy file."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Mapping

from sqlalchemy.engine import make_url

PREFIX = "DISBURSE_"


class SettingsError(ValueError):
    """An environment variable that does not hold what its setting needs."""

    code = "invalid_setting"


@dataclass(frozen=True)
class Settings:
    """Every knob, with its environment variable ``DISBURSE_<NAME>``."""

    database_url: str = "sqlite:///./disburse.db"
    key_dir: str = "./var/keys"
    policy_file: str = ""
    profile: str = ""  # a policy profile merged under the policy file (config/profiles: training)
    outbox_dir: str = "./var/outbox"
    inbox_dir: str = "./var/inbox"
    publish_dir: str = "./var/public"  # open data (the open checkbook): docs/transparency.md
    host: str = "127.0.0.1"
    port: int = 8000
    log_format: str = "text"  # json in production
    log_level: str = "INFO"
    scheduler: bool = True
    secure_cookies: bool = True
    timezone: str = "America/New_York"
    bootstrap_admin_token: str = ""  # optional: a token for the first admin, hashed on start
    max_json_body_bytes: int = 1 * 2**20  # JSON and form request bodies (413 beyond)
    max_upload_body_bytes: int = 200 * 2**20  # bank files uploaded to POST /v1/statements
    trusted_proxies: str = ""  # addresses whose X-Forwarded-For is believed (comma-separated); none by default
    xsd_dir: str = ""  # more official ISO 20022 schemas for --strict (camt.053.001.08.xsd ...), beside the package's
    publication_dir: str = ""  # where each ledger checkpoint and the public keys are also written (empty: nowhere)
    # Operations (docs/operations.md). /metrics answers only "Authorization: Bearer <metrics_token>"; empty: off (404).
    metrics_token: str = ""
    metrics_dir: str = ""  # the workers' metric files (PROMETHEUS_MULTIPROC_DIR); empty: a fresh temporary folder
    workers: int = 1  # disburse serve's worker processes (--workers)
    otel_tracing: bool = False  # spans by OpenTelemetry, when its SDK is installed (OTEL_* variables configure it)
    # PostgreSQL connections, per process: a worker holds at most db_pool_size + db_max_overflow connections.
    db_pool_size: int = 5
    db_max_overflow: int = 10
    db_pool_timeout_s: int = 30  # waiting for a free connection from the pool
    db_pool_recycle_s: int = 1800  # a connection older than this is replaced (firewalls drop idle ones)
    db_pool_pre_ping: bool = True  # test a connection as it leaves the pool (a restarted server's are dead)
    db_statement_timeout_ms: int = 300_000  # PostgreSQL statement_timeout; 0: none
    db_lock_timeout_ms: int = 60_000  # PostgreSQL lock_timeout: no statement waits longer for a row or table lock
    db_idle_in_transaction_timeout_ms: int = 300_000  # idle_in_transaction_session_timeout: a stalled holder is cut off

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(PREFIX + f.name.upper())
            if raw is None:
                continue
            if f.type in ("int", int):
                if not raw.strip().isascii() or not raw.strip().lstrip("-").isdigit():
                    raise SettingsError(f"{PREFIX}{f.name.upper()}={raw!r} is not a whole number")
                values[f.name] = int(raw)
            elif f.type in ("bool", bool):
                values[f.name] = raw.strip().lower() in ("1", "true", "yes", "on")
            else:
                values[f.name] = raw
        return cls(**values)

    def masked(self) -> dict[str, object]:
        """Effective settings for ``disburse config show``: secrets never printed."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "database_url" and value:
                value = make_url(value).render_as_string(hide_password=True)
            elif f.name.endswith("token") and value:
                value = "********"
            out[f.name] = value
        return out

    def path(self, name: str) -> Path:
        return Path(getattr(self, name)).expanduser()
