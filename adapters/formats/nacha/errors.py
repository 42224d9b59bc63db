"""The NACHA layer's error root.

The builder refuses bad input by raising :class:`NachaBuildError`; the reader never raises for bad *content*
(it returns problems instead), so the only errors a reader caller sees are programming errors such as passing
an object that is neither bytes, str nor a path.
"""

from __future__ import annotations

from typing import Any

from ledger.errors import CodedError


class NachaError(CodedError):
    """Base of every refusal in the NACHA layer. ``code`` is stable snake_case; ``message`` is for people."""

    code = "nacha_error"


class NachaBuildError(NachaError):
    """The builder was given input it cannot turn into a valid file.

    ``code`` uses the same rule vocabulary as the reader's problems (``routing_check_digit``, ``field_too_long``
    ...), so a caller can map both to the same user-facing explanation. ``where`` locates the input object
    (``batch 2, entry 17 (trace 091000010000017)``) and ``field`` names the dataclass field.
    """

    code = "nacha_build_error"

    def __init__(self, code: str, where: str, field: str, reason: str, **details: Any) -> None:
        super().__init__(f"{where}: {field} {reason}", code=code, where=where, field=field, **details)
        self.where = where
        self.field = field
