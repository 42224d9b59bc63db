"""A logging filter that keeps tokens, credentials and account numbers out of every log line.

It renders the message with its arguments *first* and redacts the result: redacting the arguments one by one
would turn an ``int`` account number into a string and make ``%d`` fail, and logging's own error report for
that failure prints the arguments unredacted. Extra fields (the ones a JSON formatter emits) and tracebacks
are redacted too.

Attach it to *handlers* (``install``): a filter on a logger does not see records propagated from its children.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "[REDACTED]"
_MIN_ACCOUNT_DIGITS = 9

# Order matters: credentials with their scheme or key first, so a token after "Bearer" is named as a bearer.
_CREDENTIAL_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]+"), rf"\1\2{REDACTED}"),
    (re.compile(r"(?i)(?<![a-z])(password|passwd|pwd|secret|token|api[_-]?key|authorization|cookie|session(?:_id)?)"
                r"(\"?'?\s*[:=]\s*\"?'?)(?!bearer\s|basic\s|\[REDACTED\])([^\s\"',;&}]+)"), rf"\1\2{REDACTED}"),
    (re.compile(r"dsb_[A-Za-z0-9_-]+"), f"dsb_{REDACTED}"),
)
# A run of nine or more digits, possibly split by hyphens (0001-2345-6789): account numbers are 4–17 digits,
# and anything from nine up could be one. Shorter runs (amounts, dates, counts) pass untouched. A hex word of
# 32 or more characters with a letter in it (a SHA-256 hash, a key id) is passed over whole, or most ledger
# hashes would come out with holes in them; no account number is that long.
_HEX_OR_DIGITS = re.compile(
    r"(?P<hex>(?<![0-9A-Za-z])(?=[0-9]*[A-Fa-f])[0-9A-Fa-f]{32,}(?![0-9A-Za-z]))"
    r"|(?P<digits>(?<!\d)\d(?:-?\d)+(?!\d))"
)
# Attributes every LogRecord has; anything else on a record came in through ``extra=`` and is redacted too.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def _mask_digits(match: re.Match[str]) -> str:
    if match.group("hex"):
        return match.group(0)
    digits = match.group(0).replace("-", "")
    if len(digits) < _MIN_ACCOUNT_DIGITS:
        return match.group(0)
    return "****" + digits[-4:]


def redact_text(text: str) -> str:
    """The text with credentials, ``dsb_`` tokens and long digit runs masked (last four digits kept)."""
    for pattern, replacement in _CREDENTIAL_PATTERNS:
        text = pattern.sub(replacement, text)
    return _HEX_OR_DIGITS.sub(_mask_digits, text)


def redact_value(value: Any) -> Any:
    """Redact strings and long integers inside a structure, keeping its shape where it has one."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        return value if len(str(abs(value))) < _MIN_ACCOUNT_DIGITS else redact_text(str(value))
    if isinstance(value, Mapping):
        return {k: redact_value(v) for k, v in value.items()}
    if type(value) in (list, tuple, set, frozenset):
        return type(value)(redact_value(v) for v in value)
    # An arbitrary object renders through its __str__, which may carry a secret: keep only the redacted text.
    return redact_text(str(value))


class RedactingFilter(logging.Filter):
    """Rewrites each record in place so no handler downstream can emit a secret. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not become an unredacted "--- Logging error ---"
            message = f"{record.msg!s} {record.args!r}"
        record.msg = redact_text(message)
        record.args = None
        for name in list(vars(record)):
            if name not in _STANDARD_ATTRS:
                setattr(record, name, redact_value(getattr(record, name)))
        if record.exc_info and record.exc_info[0] is not None:
            # Rendered here and the live exception dropped, so a formatter cannot re-render it unredacted.
            record.exc_text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


def install(handlers: Iterable[logging.Handler] | None = None) -> RedactingFilter:
    """Attach one filter to the given handlers, or to every handler on the root logger."""
    redactor = RedactingFilter()
    for handler in handlers if handlers is not None else logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(redactor)
    return redactor
