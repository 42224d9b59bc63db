"""Where a command's document goes: to the file ``--out`` names (saying so), or to standard output as it is."""

from __future__ import annotations

from pathlib import Path


def write_or_print(text: str, out: str | None, written: str) -> None:
    """``written`` is the sentence printed after the file is written, e.g. "public keys written to FILE"."""
    if out:
        Path(out).write_text(text)
        print(written)
    else:
        print(text, end="")
