"""users: an email on file, roles waiting for a second administrator, and one-time sign-in links

Revision ID: 0018_user_grants_resets
Revises: 0017_contact_changes

Over HTTP an administrator no longer sets passwords or mints tokens for others: a person gets a one-time link
(``password_resets``: the SHA-256 of its secret, expiring, single use) sent to ``users.email``; what one
administrator adds (``users.status = 'pending'``, or ``users.pending_roles``) waits for another's approval.
"""
from alembic import op
import sqlalchemy as sa

revision = "0018_user_grants_resets"
down_revision = "0017_contact_changes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email", sa.String(200), nullable=True))
        batch.add_column(sa.Column("pending_roles", sa.String(200), nullable=True))
        batch.add_column(sa.Column("pending_by", sa.String(40), nullable=True))
    op.create_table(
        "password_resets",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(12), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("expires_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=False),
        sa.Column("used_at", sa.String(32), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_password_resets_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_resets")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_resets_token_hash")),
    )
    op.create_index("ix_password_resets_user_id", "password_resets", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_password_resets_user_id", table_name="password_resets")
    op.drop_table("password_resets")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("pending_by")
        batch.drop_column("pending_roles")
        batch.drop_column("email")
