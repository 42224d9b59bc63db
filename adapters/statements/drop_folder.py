"""The drop folder: bank files left in the inbox are imported, then moved to ``done/`` or ``rejected/``.

A file is moved only after its import committed (or was refused), so a crash leaves it in place and the next pass
imports it again, which the file digest makes harmless. A refused file gets a ``.reason.txt`` beside it naming
the line or element and why. Files still being written are left alone until they stop changing (mtime).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from adapters.gc_pause import LARGE_STATEMENT_BYTES, cyclic_gc_paused
from payments.reconciliation.statements import FormatError

SETTLE_S = 2.0


def pick_up(inbox: Path, import_file: Callable[..., Any], *, settle_s: float = SETTLE_S) -> list[dict]:
    """Import every settled file in ``inbox``; return one summary per file."""
    inbox.mkdir(parents=True, exist_ok=True)
    done, rejected = inbox / "done", inbox / "rejected"
    out: list[dict] = []
    for path in sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.startswith(".")):
        if time.time() - path.stat().st_mtime < settle_s:
            continue  # probably still being copied in
        try:
            data = path.read_bytes()
            with cyclic_gc_paused(len(data) >= LARGE_STATEMENT_BYTES):
                result = import_file(data, name=path.name)
        except FormatError as exc:
            rejected.mkdir(exist_ok=True)
            path.replace(rejected / path.name)
            (rejected / f"{path.name}.reason.txt").write_text(f"{exc.code}: {exc}\n")
            out.append({"file": path.name, "result": "rejected", "reason": f"{exc.code}: {exc}"})
            continue
        done.mkdir(exist_ok=True)
        path.replace(done / path.name)
        out.append({"file": path.name, "result": "duplicate" if result.duplicate_file else "imported",
                    "file_id": result.file_id, "lines_matched": result.lines_matched,
                    "exceptions_opened": result.exceptions_opened})
    return out
