"""scheduler leader lease and job run keys

Revision ID: 0003_scheduler
Revises: 0002_http
"""
from alembic import op
import sqlalchemy as sa

revision = "0003_scheduler"
down_revision = "0002_http"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduler_leases",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("holder", sa.String(100), nullable=False),
        sa.Column("expires_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_leases")),
    )
    op.create_table(
        "job_runs",
        sa.Column("run_key", sa.String(200), nullable=False),
        sa.Column("job", sa.String(64), nullable=False),
        sa.Column("holder", sa.String(100), nullable=False),
        sa.Column("started_at", sa.String(32), nullable=False),
        sa.Column("finished_at", sa.String(32), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("run_key", name=op.f("pk_job_runs")),
    )


def downgrade() -> None:
    op.drop_table("job_runs")
    op.drop_table("scheduler_leases")
