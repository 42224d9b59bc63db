"""Re-sealing secrets at rest under the field cipher's active data key, after `disburse keys rotate-data-key`.

Every encrypted column is listed here, with the row id and column name its blobs are bound to. Rows are walked
in id order, a batch per transaction; a row already under the active key is left alone, so an interrupted run
is finished by running again (``--resume``), and a row changed meanwhile is guarded by comparing its blob.
Short-lived secrets (a password-reset link's sealed secret in the outbox, valid for hours) are not re-sealed:
old data keys stay in the keyring, so they still open until they expire.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Table, select, update
from sqlalchemy.engine import Engine

from adapters.db.ap import ap_tables
from adapters.db.people import identity_tables


@dataclass(frozen=True)
class EncryptedColumn:
    """One encrypted column: its table, the column the blob is bound to (AAD), and how it is stored."""

    table: Table
    blob: Column
    bound_to: str
    base64_text: bool = False

    @property
    def name(self) -> str:
        return f"{self.table.name}.{self.blob.name}"


ENCRYPTED_COLUMNS = (
    EncryptedColumn(identity_tables.vendor_bank_accounts, identity_tables.vendor_bank_accounts.c.account_ciphertext,
                    "account_number"),
    EncryptedColumn(ap_tables.vendors, ap_tables.vendors.c.tin_ciphertext, "vendors.tin", base64_text=True),
)


@dataclass
class ColumnProgress:
    column: str
    rows_read: int = 0
    resealed: int = 0


def _decode(col: EncryptedColumn, stored: Any) -> bytes:  # bytes, memoryview (psycopg) or base64 text
    return base64.b64decode(stored) if col.base64_text else bytes(stored)


def _encode(col: EncryptedColumn, blob: bytes) -> bytes | str:
    return base64.b64encode(blob).decode("ascii") if col.base64_text else blob


def reseal(engine: Engine, cipher, col: EncryptedColumn, *, batch: int = 500,  # noqa: ANN001
           progress: Callable[[ColumnProgress], None] | None = None) -> ColumnProgress:
    """Re-seal every blob of ``col`` not under the active data key, ``batch`` rows per transaction."""
    done = ColumnProgress(col.name)
    ident = col.table.c.id
    for rows in _pages(engine, col, batch):
        with engine.begin() as conn:
            for row_id, stored in rows:
                done.rows_read += 1
                blob = _decode(col, stored)
                if not cipher.needs_reencrypt(blob):
                    continue
                fresh = cipher.reencrypt(blob, row_id=row_id, column=col.bound_to)
                # Guarded by the old blob: a row rewritten meanwhile (a new account number) is left to its writer.
                changed = conn.execute(update(col.table).where(ident == row_id, col.blob == stored)
                                       .values({col.blob.name: _encode(col, fresh)})).rowcount
                done.resealed += changed
        if progress:
            progress(done)
    return done


def _pages(engine: Engine, col: EncryptedColumn, batch: int) -> Iterator[list[tuple[str, bytes | str]]]:
    ident, after = col.table.c.id, ""
    while True:
        with engine.connect() as conn:
            rows = [(r[0], r[1]) for r in conn.execute(
                select(ident, col.blob).where(ident > after, col.blob.is_not(None)).order_by(ident).limit(batch))]
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def still_sealed_under_old_keys(engine: Engine, cipher) -> dict[str, int]:  # noqa: ANN001
    """Per column, how many blobs are not under the active key (0 everywhere once a rotation is finished)."""
    out: dict[str, int] = {}
    for col in ENCRYPTED_COLUMNS:
        count = 0
        for rows in _pages(engine, col, 2000):
            count += sum(cipher.needs_reencrypt(_decode(col, stored)) for _, stored in rows)
        out[col.name] = count
    return out


def rotate_and_reseal(engine: Engine, cipher, uow_factory: Callable, audit, operator: str, *,  # noqa: ANN001
                      resume: bool = False, batch: int = 500,
                      progress: Callable[[ColumnProgress], None] | None = None) -> dict:
    """Make a new data key active (unless ``resume``), re-seal every encrypted column under it, and record both in
    the audit trail: who did it, which key was active before and after, how many blobs were re-sealed and how many
    are left (a server that has not restarted keeps sealing new values with the key it loaded)."""
    cipher.keys.reload()
    before = cipher.keys.active_key_id
    active = before if resume else cipher.keys.rotate()
    with uow_factory() as uow:
        audit.record(uow, operator, "data_key_resealing_resumed" if resume else "data_key_rotated",
                     f"datakey_{active}", detail={"previous_key": before, "active_key": active})
        uow.commit()
    done = [reseal(engine, cipher, col, batch=batch, progress=progress) for col in ENCRYPTED_COLUMNS]
    left = still_sealed_under_old_keys(engine, cipher)
    summary = {"active_key": active, "previous_key": before, "resumed": resume,
               "resealed": {d.column: d.resealed for d in done}, "rows_read": {d.column: d.rows_read for d in done},
               "left_under_old_keys": left}
    with uow_factory() as uow:
        audit.record(uow, operator, "data_resealed", f"datakey_{active}",
                     detail={"resealed": summary["resealed"], "left_under_old_keys": left})
        uow.commit()
    return summary
