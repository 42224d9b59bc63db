"""journals: the Merkle roots of their aligned blocks of 1,024 entries, for proofs without reading the journal

Revision ID: 0022_merkle_blocks
Revises: 0015_ledger_refs

A proof of one entry among a million needs the roots of about twenty subtrees; computed from the entries, that is
every hash of the journal. ``merkle_blocks`` keeps the root of each whole block of 1,024 entries (block b holds
sequences b*1024+1 .. (b+1)*1024, a perfect subtree of the RFC 6962 tree), written when a checkpoint is signed,
so that a proof reads at most two blocks of hashes and the block roots. The roots are derived from the entries'
hashes: `ledger verify` recomputes every one and names a block whose stored root differs (derived_mismatch).
Insert-only, like the journal.
"""
import sqlalchemy as sa
from alembic import op

revision = "0022_merkle_blocks"
down_revision = "0015_ledger_refs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("merkle_blocks",
                    sa.Column("journal", sa.String(length=20), nullable=False),
                    sa.Column("block", sa.BigInteger(), autoincrement=False, nullable=False),
                    sa.Column("root", sa.LargeBinary(length=32), nullable=False),
                    sa.PrimaryKeyConstraint("journal", "block", name=op.f("pk_merkle_blocks")))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TRIGGER merkle_blocks_immutable BEFORE UPDATE OR DELETE ON merkle_blocks "
                   "FOR EACH ROW EXECUTE FUNCTION disburse_refuse_change()")
        op.execute("CREATE TRIGGER merkle_blocks_no_truncate BEFORE TRUNCATE ON merkle_blocks "
                   "FOR EACH STATEMENT EXECUTE FUNCTION disburse_refuse_change()")
    else:
        for what in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER merkle_blocks_no_{what.lower()} BEFORE {what} ON merkle_blocks "
                       f"BEGIN SELECT RAISE(ABORT, 'journal rows are immutable: {what} on merkle_blocks refused'); END")


def downgrade() -> None:
    op.drop_table("merkle_blocks")
