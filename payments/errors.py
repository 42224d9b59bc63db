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


class StaleState(Conflict):
    """A guarded update changed no row: someone else moved the object first. Nothing was done twice; reload and
    try again. (One class for every feature: the documents of AP, payment runs, payments, submissions.)"""

    code = "stale_state"

    def __init__(self, kind: str, object_id: str, expected: str) -> None:
        super().__init__(f"{kind} {object_id} is no longer {expected}; someone else moved it first: reload it and "
                         "try again.", kind=kind, object_id=object_id, expected=expected)


class InvalidInput(DomainError):
    """The request is malformed or breaks a domain rule about its own content."""

    code = "invalid_input"


class Forbidden(DomainError):
    """The caller is known but may not do this (separation of duties, role)."""

    code = "forbidden"


# -- refusals every feature shares -----------------------------------------------------------------------------------


class ReasonRequired(InvalidInput):
    """A step that is audited needs a reason someone can read later."""

    code = "reason_required"


class DateInFuture(InvalidInput):
    """A day that has to have happened already (a notice, a receipt) lies in the future."""

    code = "date_in_future"


class InvalidPolicy(InvalidInput):
    """A policy value is out of its range (negative waiting periods, thresholds, limits)."""

    code = "invalid_policy"


class NaiveDatetime(InvalidInput):
    """A time without a timezone cannot be compared with a cut-off."""

    code = "naive_datetime"


class NoticeRecipientRequired(InvalidInput):
    """A notice needs someone to go to."""

    code = "notice_recipient_required"
