"""Characters no stored text may carry, wherever it comes from (the API, a CSV import, a bank file).

C0 and C1 control characters (a NUL cuts a string short in C libraries, and PostgreSQL refuses it), the line and
paragraph separators, and the Unicode bidirectional embeddings, overrides and isolates (U+202A-U+202E,
U+2066-U+2069), which make ``INV-1001<U+202E>0001`` display as something else (Trojan Source). Free text may keep
tabs and line breaks; identifiers and names are one line.
"""

from __future__ import annotations

_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = frozenset("\t\n\r")


def find_forbidden(text: str, *, multiline: bool = True) -> str | None:
    """The first character ``text`` may not hold, named (``U+202E``), or None."""
    for ch in text:
        code = ord(ch)
        if ch in _BIDI or code < 0x20 or 0x7F <= code <= 0x9F or code in (0x2028, 0x2029):
            if multiline and ch in _LINE_BREAKS:
                continue
            return f"U+{code:04X}"
    return None
