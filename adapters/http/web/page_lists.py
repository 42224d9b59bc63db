"""What every list page shares: keyset cursors in the query string (never OFFSET), sort links, and the CSV and
XLSX downloads of the same rows, written by the one neutralising writer each (``adapters.exports``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from adapters.exports.csv_export import Cell, write_csv
from adapters.exports.xlsx_export import XLSX_MEDIA_TYPE, write_xlsx
from adapters.http.http_errors import InvalidCursor
from adapters.http.pagination import decode_cursor, encode_cursor

EXPORT_FORMATS = ("csv", "xlsx")


def cursor_of(value: Any, row_id: str) -> str:
    return encode_cursor({"v": value, "id": row_id})


def position_of(cursor: str | None) -> tuple[Any, str] | None:
    """(sort value, id) from a cursor this site wrote; a made-up one is the API's ``invalid_cursor`` (400)."""
    found = decode_cursor(cursor)
    if not found:
        return None
    row_id = found.get("id")
    value = found.get("v")
    if not isinstance(row_id, str) or not (value is None or isinstance(value, (str, int))) or isinstance(value, bool):
        from payments.errors import InvalidInput

        raise InvalidCursor("cursor is not one this site issued")
    return value, row_id


def query_with(params: dict[str, str | None], **changes: str | None) -> str:
    """``?a=1&b=2`` for these filters with some changed; empty values left out."""
    merged = {**params, **changes}
    kept = {k: v for k, v in merged.items() if v not in (None, "")}
    return ("?" + urlencode(kept)) if kept else ""


def export(fmt: str, filename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Response:
    """The rows as a download: ``fmt`` is csv or xlsx (the route has checked it)."""
    if fmt == "xlsx":
        body: bytes = write_xlsx(header, rows)
        media = XLSX_MEDIA_TYPE
    else:
        body = write_csv(header, rows).encode("utf-8")
        media = "text/csv; charset=utf-8"
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'})
