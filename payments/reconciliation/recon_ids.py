"""Ids for rows reconciliation creates by the hundred thousand: prefixed ULIDs, monotonic within one import.

One ULID is drawn per sequence; the following ids add 1 to it (ULID's own monotonic rule), so they stay unique,
sortable and timestamped while costing a few dict look-ups instead of a random draw and an object each.
"""

from __future__ import annotations

from itertools import count

from ulid import ULID

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PAIRS = [a + b for a in _CROCKFORD for b in _CROCKFORD]  # 10 bits per look-up


class IdSequence:
    """``ids("sln")`` -> 'sln_01J…': a new id for each call, per prefix one monotonic run."""

    def __init__(self) -> None:
        self._runs: dict[str, tuple[str, int, count[int]]] = {}

    def __call__(self, prefix: str) -> str:
        run = self._runs.get(prefix)
        if run is None:
            value = int(ULID())
            # Keep the top 98 bits as a fixed head; the low 30 bits (a billion ids) count up from the draw's own.
            head = _encode(value)[:20]
            run = self._runs[prefix] = (f"{prefix}_{head}", value & (2**30 - 1), count())
        head, low, counter = run
        n = low + next(counter)
        if n >= 2**30:  # a billion ids in one run: start a fresh one
            del self._runs[prefix]
            return self(prefix)
        return head + _PAIRS[n >> 20] + _PAIRS[(n >> 10) & 1023] + _PAIRS[n & 1023]


def _encode(value: int) -> str:
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))
