"""Opaque cursors: base64url of a small JSON object naming where the next page starts."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from adapters.http.http_errors import InvalidCursor



def encode_cursor(position: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any]:
    if not cursor:
        return {}
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
        if not isinstance(value, dict) or not all(_plain(v) for v in value.values()):
            raise ValueError("not an object of plain values")
        return value
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursor("cursor is not one this API issued") from None


def _plain(value: Any) -> bool:
    """What a cursor we issued holds: short text, a 64-bit integer or nothing (a forged one may hold anything)."""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    return isinstance(value, str) and len(value) <= 200 and "\x00" not in value


def page(items: list[Any], limit: int, position_of) -> dict[str, Any]:  # noqa: ANN001
    """``items`` fetched with limit+1: the extra one only tells that another page exists."""
    more = len(items) > limit
    items = items[:limit]
    return {"items": items, "next_cursor": encode_cursor(position_of(items[-1])) if more and items else None}
