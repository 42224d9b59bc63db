"""vendor contact changes: a change of the contact on file waits for a second person and cools off

Revision ID: 0017_contact_changes
Revises: 0004_identity

The contact on file (``vendor_contacts``) is where bank-change call-backs and notices go; after the first one,
it changes only through a ``vendor_contact_changes`` row approved by someone other than its requester. The row
keeps the contact it replaced, which call-backs and notices keep using until the change has cooled off.
"""
from alembic import op
import sqlalchemy as sa

revision = "0017_contact_changes"
down_revision = "0004_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vendor_contact_changes",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("vendor_id", sa.String(40), nullable=False),
        sa.Column("phone", sa.String(40), nullable=False),
        sa.Column("email", sa.String(200), nullable=True),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("previous_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("requested_by", sa.String(40), nullable=False),
        sa.Column("requested_at", sa.String(32), nullable=False),
        sa.Column("approved_by", sa.String(40), nullable=True),
        sa.Column("approved_at", sa.String(32), nullable=True),
        sa.Column("cooling_off_until", sa.String(32), nullable=True),
        sa.Column("closed_by", sa.String(40), nullable=True),
        sa.Column("closed_at", sa.String(32), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_contact_changes")),
    )
    op.create_index("ix_vendor_contact_changes_vendor_id", "vendor_contact_changes", ["vendor_id"])


def downgrade() -> None:
    op.drop_index("ix_vendor_contact_changes_vendor_id", table_name="vendor_contact_changes")
    op.drop_table("vendor_contact_changes")
