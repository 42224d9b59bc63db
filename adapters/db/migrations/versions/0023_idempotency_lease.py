"""idempotency keys: a lease on the claim (its holder and until when), so a key whose holder died is taken over

Revision ID: 0023_idempotency_lease
Revises: 0002_http

A claim left ``in_flight`` by a process killed mid-request answered 409 "still being processed" for ever. The claim
now names its holder (a fresh id per request) and a lease expiry; a retry after the expiry takes the claim over with
an update guarded on the old holder, so two retries cannot both take it, and the holder that lost it cannot finish
or release it. Rows written by older code have no holder and no expiry: they count as expired.
"""
import sqlalchemy as sa
from alembic import op

revision = "0023_idempotency_lease"
down_revision = "0002_http"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.add_column(sa.Column("holder", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("holder")
