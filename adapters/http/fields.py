"""What a stored string may hold, field by field: names, identifiers, e-mail addresses, phone numbers, free text.

Every text that is stored is bounded by its column, and none may carry characters that hide or rewrite what a
person reads: C0 and C1 control characters (a NUL cuts a string short in C libraries and PostgreSQL refuses it),
and the Unicode bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which make
``INV-1001<U+202E>1000`` display as something else (Trojan Source). Identifiers and names are one line; free text
may hold tabs and line breaks. ``find_forbidden`` (payments/text_rules.py) is also what the body guard applies to
every JSON string and the CSV import to every cell.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from payments.text_rules import find_forbidden

def _one_line(text: str) -> str:
    bad = find_forbidden(text, multiline=False)
    if bad is not None:
        raise ValueError(f"may not contain the control or bidirectional character {bad}")
    if text != text.strip():
        raise ValueError("may not start or end with spaces")
    return text


def _free_text(text: str) -> str:
    bad = find_forbidden(text)
    if bad is not None:
        raise ValueError(f"may not contain the control or bidirectional character {bad}")
    return text


_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{5,38}[0-9]$")


def _email(text: str) -> str:
    if not _EMAIL.fullmatch(text):
        raise ValueError("is not an e-mail address (name@example.gov)")
    return text


def _phone(text: str) -> str:
    if not _PHONE.fullmatch(text) or sum(ch.isdigit() for ch in text) < 7:
        raise ValueError("is not a phone number: digits, spaces, ( ) . - and a leading +, at least 7 digits")
    return text


def Name(max_length: int = 200) -> type[str]:  # noqa: N802 - a type factory, read as a type
    """A person's or an organisation's name: one line, 1 to ``max_length`` characters."""
    return Annotated[str, StringConstraints(min_length=1, max_length=max_length), AfterValidator(_one_line)]  # type: ignore[return-value]


def Identifier(max_length: int = 40) -> type[str]:  # noqa: N802
    """A document number people type (invoice, PO, memo, vendor number): one line, not blank."""
    return Annotated[str, StringConstraints(min_length=1, max_length=max_length), AfterValidator(_one_line)]  # type: ignore[return-value]


def Text(max_length: int = 500) -> type[str]:  # noqa: N802
    """Free text (a reason, a note, an address line): tabs and line breaks allowed, controls and bidi not."""
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_free_text)]  # type: ignore[return-value]


Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]
# The lengths the request models use, as aliases a type checker reads as types (a call is not a type).
Name200 = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(_one_line)]
Identifier40 = Annotated[str, StringConstraints(min_length=1, max_length=40), AfterValidator(_one_line)]
Identifier80 = Annotated[str, StringConstraints(min_length=1, max_length=80), AfterValidator(_one_line)]
Text500 = Annotated[str, StringConstraints(max_length=500), AfterValidator(_free_text)]
Phone = Annotated[str, StringConstraints(min_length=7, max_length=40), AfterValidator(_phone)]
