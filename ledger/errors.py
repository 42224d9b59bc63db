"""The ledger's error root: every refusal carries a stable snake_case ``code``."""

from __future__ import annotations

from typing import Any


class LedgerError(Exception):
    """Base of every ledger refusal. ``code`` is stable; ``message`` is for people."""

    code = "ledger_error"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
