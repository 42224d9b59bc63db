"""Publishing what outsiders keep: every signed checkpoint and the public keys, written to a folder the agency
serves or copies on (its website, a transparency log, a public bucket: an rsync away). Anyone holding an older
published checkpoint catches a journal cut back behind it (`disburse ledger verify --checkpoint FILE`).

Files appear whole or not at all (written beside, then renamed): ``<journal>-checkpoint-<sequence>.json`` for
each checkpoint, ``<journal>-checkpoint-latest.json`` for the newest, ``<journal>-keys.json`` for the keys.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from ledger.checkpoint import Checkpoint


class FolderPublisher:
    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder).expanduser()

    def publish(self, checkpoint: Checkpoint, keys_json: str) -> list[Path]:
        """Write the checkpoint (by sequence and as the latest) and the keys; returns the paths written."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = checkpoint.journal
        written = [self._write(f"{name}-checkpoint-{checkpoint.sequence}.json", checkpoint.to_json()),
                   self._write(f"{name}-keys.json", keys_json),
                   self._write(f"{name}-checkpoint-latest.json", checkpoint.to_json())]
        return written

    def _write(self, filename: str, text: str) -> Path:
        target = self.folder / filename
        fd, temporary = tempfile.mkstemp(prefix=f".{filename}.", dir=self.folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(temporary, 0o644)  # meant to be read by anyone
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target


def checkpoint_and_publish(ledger: Any, folder: str | Path | None) -> Checkpoint:
    """The ledger's checkpoint (``LedgerService.checkpoint``), also published when a folder is configured: the
    scheduled job and `disburse ledger checkpoint` both."""
    cp: Checkpoint = ledger.checkpoint()
    if folder:
        FolderPublisher(folder).publish(cp, ledger.export_public_keys())
    return cp
