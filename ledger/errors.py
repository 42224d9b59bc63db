"""The ledger's error root: every refusal carries a stable snake_case ``code``."""

from __future__ import annotations

from typing import Any


class CodedError(Exception):
    """A refusal with a stable snake_case ``code``, a ``message`` for people and structured ``details``.

    The root the ledger, the payments domain and the format layers share, so that every adapter maps an
    error to a response from its code alone.
    """

    code = "error"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class LedgerError(CodedError):
    """Base of every ledger refusal."""

    code = "ledger_error"


class JournalNotInitialized(LedgerError):
    """The journal has no genesis entry or no signing key yet: ``disburse init`` comes first."""

    code = "journal_not_initialized"


class JournalAlreadyInitialized(LedgerError):
    """A second genesis was asked for."""

    code = "journal_already_initialized"


class EntryNotFound(LedgerError):
    """No entry has this id."""

    code = "entry_not_found"

    def __init__(self, entry_id: str) -> None:
        super().__init__(f"entry {entry_id} does not exist", entry_id=entry_id)


# -- checkpoints and proofs ------------------------------------------------------------------------------------------


class CheckpointWrongJournal(LedgerError):
    """A checkpoint of one journal is offered to check another."""

    code = "checkpoint_wrong_journal"


class CheckpointFailed(LedgerError):
    """A journal is empty or its head is inconsistent: no checkpoint can be taken."""

    code = "checkpoint_failed"


class CheckpointDoesNotCoverEntry(LedgerError):
    """No signed checkpoint reaches the entry yet; a proof waits for the next one."""

    code = "checkpoint_does_not_cover_entry"


class NoLaterCheckpoint(LedgerError):
    """A consistency proof needs a checkpoint later than the one given."""

    code = "no_later_checkpoint"


class JournalDoesNotExtendCheckpoint(LedgerError):
    """The journal's hashes no longer build the checkpoint's head or root."""

    code = "journal_does_not_extend_checkpoint"


class UnknownKey(LedgerError):
    """A checkpoint is signed by a key the registry does not hold."""

    code = "unknown_key"
