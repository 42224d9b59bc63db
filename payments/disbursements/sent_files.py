"""The file a payment run handed to its rail, as the rail keeps it: what treasury downloads from the run's page.

The payment service reads it through ``SentFiles`` (the rail registry implements it: a rail that writes files keeps
them with its transport); the download itself is a use case (``RunLifecycle.sent_file``), authorized and audited.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

_MEDIA_TYPES = {".ach": "text/plain; charset=us-ascii", ".xml": "application/xml"}


class SentFiles(Protocol):
    """Where the rails keep the files they were handed."""

    def sent_file(self, rail: str, reference: str) -> bytes | None:
        """The bytes ``rail`` was handed under ``reference`` (its receipt's reference, a file name); None when
        that rail keeps no file (an API rail) or none by that name."""
        ...


@dataclass(frozen=True, slots=True)
class SentFile:
    name: str
    data: bytes
    media_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def media_type_of(name: str) -> str:
    """A NACHA file is ASCII text, a pain.001 XML; anything else is bytes."""
    for suffix, media in _MEDIA_TYPES.items():
        if name.endswith(suffix):
            return media
    return "application/octet-stream"
