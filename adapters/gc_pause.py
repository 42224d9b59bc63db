"""Pause Python's cyclic garbage collector around bulk work: a large statement import or a large matching batch.

Such work allocates millions of small acyclic objects (lines, payments, facts, findings, rows). The cyclic
collector, triggered by allocation counts, rescans the growing heap again and again and finds nothing to free;
at a million statement lines that was a quarter of the import's time. Reference counting still frees everything,
and the collector runs as usual once the work is done. The domain services stay free of interpreter tuning: the
adapters that hand them bulk work (the CLI, the upload route, the drop-folder job, the benchmarks) decide.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

LARGE_STATEMENT_BYTES = 1 << 20  # about 20,000 BAI2 lines
LARGE_CSV_BYTES = 1 << 20  # about 10,000 invoice rows


@contextmanager
def cyclic_gc_paused(large: bool) -> Iterator[None]:
    """Within the block, no cyclic collection when ``large`` (and the collector was on); otherwise nothing."""
    paused = large and gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
