"""The accounts-payable domain's error root.

Each error builds its own message from domain values and carries a stable snake_case ``code``; the HTTP
adapter maps codes to statuses in one table. The domain knows no HTTP status.
"""

from __future__ import annotations


from ledger.errors import CodedError


class DomainError(CodedError):
    """Base of every refusal in ``payments``."""

    code = "domain_error"


class NotFound(DomainError):
    """The object does not exist, or the caller may not know that it does."""

    code = "not_found"


class Conflict(DomainError):
    """Someone else changed the object first, or the request repeats a finished one differently."""

    code = "conflict"


class InvalidInput(DomainError):
    """The request is malformed or breaks a domain rule about its own content."""

    code = "invalid_input"


class Forbidden(DomainError):
    """The caller is known but may not do this (separation of duties, role)."""

    code = "forbidden"
