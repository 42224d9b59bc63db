"""reconciliation at a million lines: binary line identities, payments found by trace number

Revision ID: 0012_recon_speed
Revises: 0007_recon
Depends on: 0006_payments

* ``recon_lines.identity`` becomes the 32 bytes of the SHA-256 (BLOB / bytea) instead of its 64 hex characters:
  the UNIQUE index every imported line goes into is half the size, and so is the column. Existing identities are
  converted exactly (``bytes.fromhex``), so a file imported before the upgrade is still recognized after it; the
  downgrade converts them back just as exactly.
* ``payments.trace_number`` gets an index: a statement line names its payment by trace number, and reconciliation
  looks payments up (and settles them) by it instead of reading every open payment.
"""
from alembic import op
import sqlalchemy as sa

revision = "0012_recon_speed"
down_revision = "0007_recon"
branch_labels = None
depends_on = ("0006_payments",)

_CHUNK = 5000


def _convert(source: str, target: str, to_target) -> None:  # noqa: ANN001
    """Copy ``source`` into ``target`` for every line, converted, in chunks by id (a large table never sits in
    memory at once)."""
    lines = sa.table("recon_lines", sa.column("id", sa.String), sa.column(source), sa.column(target))
    conn = op.get_bind()
    after = ""
    while True:
        rows = conn.execute(sa.select(lines.c.id, lines.c[source]).where(lines.c.id > after)
                            .order_by(lines.c.id).limit(_CHUNK)).fetchall()
        if not rows:
            return
        conn.execute(sa.update(lines).where(lines.c.id == sa.bindparam("line_id"))
                     .values({target: sa.bindparam("value")}),
                     [{"line_id": line_id, "value": to_target(value)} for line_id, value in rows])
        after = rows[-1][0]


def _swap(old_type, new_type, convert) -> None:  # noqa: ANN001
    with op.batch_alter_table("recon_lines") as batch:
        batch.add_column(sa.Column("identity_new", new_type, nullable=True))
    _convert("identity", "identity_new", convert)
    with op.batch_alter_table("recon_lines") as batch:
        batch.drop_constraint("uq_recon_lines_identity", type_="unique")
        batch.drop_column("identity")
    with op.batch_alter_table("recon_lines") as batch:
        batch.alter_column("identity_new", new_column_name="identity", existing_type=new_type, nullable=False)
    with op.batch_alter_table("recon_lines") as batch:  # after the rename: in the same batch it is lost on SQLite
        batch.create_unique_constraint("uq_recon_lines_identity", ["identity"])


def upgrade() -> None:
    op.create_index("ix_payments_trace_number", "payments", ["trace_number"])
    _swap(sa.String(64), sa.LargeBinary(32), bytes.fromhex)


def downgrade() -> None:
    _swap(sa.LargeBinary(32), sa.String(64), lambda value: bytes(value).hex())
    op.drop_index("ix_payments_trace_number", table_name="payments")
