"""Tables that serve the HTTP edge: remembered Idempotency-Key responses."""

from sqlalchemy import Column, Integer, LargeBinary, String, Table

from adapters.db.meta import metadata

idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("scope", String(200), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("state", String(12), nullable=False),  # in_flight | done
    Column("status_code", Integer),
    Column("body", LargeBinary),
    Column("created_at", String(32), nullable=False),
    Column("holder", String(40)),  # who holds an in_flight claim (one id per request)
    Column("lease_until", String(32)),  # after this, a retry may take the claim over
)
