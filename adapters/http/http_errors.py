"""Refusals of the HTTP layer's own input (cursors, uploads, query parameters), each with a stable code."""

from __future__ import annotations

from ledger.errors import LedgerError
from payments.errors import InvalidInput, NotFound


class InvalidCursor(InvalidInput):
    """A list cursor this API (or site) did not issue."""

    code = "invalid_cursor"


class UnknownQueryParameter(InvalidInput):
    """A query parameter the route does not take."""

    code = "unknown_query_parameter"


class EmptyUpload(InvalidInput):
    """An upload whose body is empty."""

    code = "empty_upload"


class ImportedFileNotFound(NotFound):
    """No imported bank file has this id."""

    code = "file_not_found"


class InvalidAmount(LedgerError):
    """A posting amount that is not a decimal of the currency."""

    code = "invalid_amount"
