"""Tables behind scheduling: the leader lease and one row per job fire (its unique run key)."""

from sqlalchemy import Column, String, Table, Text

from adapters.db.meta import metadata

scheduler_leases = Table(
    "scheduler_leases", metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(100), nullable=False),
    Column("expires_at", String(32), nullable=False),
)

job_runs = Table(
    "job_runs", metadata,
    Column("run_key", String(200), primary_key=True),  # job name + fire time: two fires, one effect
    Column("job", String(64), nullable=False),
    Column("holder", String(100), nullable=False),
    Column("started_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    Column("status", String(12), nullable=False),  # running | done | failed
    Column("detail", Text),
)
