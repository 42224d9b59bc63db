"""How a finished payment file reaches the bank. The default drops it into a directory the bank (or an SFTP
mirror job) picks up from; an SFTP or API transport is another class with the same three methods.

Delivery is idempotent by file name: a file is published with ``os.link``, which refuses to replace an
existing name, so two processes delivering the same submission leave exactly one file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol


class Transport(Protocol):
    def deliver(self, name: str, data: bytes) -> bool:
        """Publish ``data`` as ``name``; True if this call published it, False if it was already there."""
        ...

    def delivered(self, name: str) -> bool:
        """Whether ``name`` has been published: the status check after a crash or a timeout."""
        ...

    def read(self, name: str) -> bytes | None:
        ...


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the whole file or none of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def publish_once(path: Path, data: bytes) -> bool:
    """Create ``path`` with ``data`` unless it exists; never a partial file, never a replaced one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        Path(tmp).unlink(missing_ok=True)


class DirectoryDrop:
    """Files land in ``directory``; the bank's pickup (or a mirror job) takes them from there."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def deliver(self, name: str, data: bytes) -> bool:
        return publish_once(self.directory / name, data)

    def delivered(self, name: str) -> bool:
        return (self.directory / name).exists()

    def read(self, name: str) -> bytes | None:
        path = self.directory / name
        return path.read_bytes() if path.exists() else None
