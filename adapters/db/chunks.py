"""Long id lists cut into runs of bound parameters, under SQLite's variable limit and kind to PostgreSQL's plans."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


def chunks(items: Sequence[T], size: int = 500) -> Iterator[Sequence[T]]:
    """``items`` in order, ``size`` at a time (slices of the sequence given)."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
