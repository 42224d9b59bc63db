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


class EntryRejected(LedgerError):
    """An entry draft breaks a posting rule; nothing is written. Each rule is a subclass below with its code."""

    code = "entry_rejected"


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


# -- entry drafts that break a posting rule (entries.validate_draft, Journal.post_many): nothing is written ----------


class InvalidEntryId(EntryRejected):
    """An entry id is not ``je_`` and a ULID."""

    code = "invalid_entry_id"


class InvalidEntryCode(EntryRejected):
    """An entry code is not snake_case, or is a system code a caller may not post."""

    code = "invalid_entry_code"


class InvalidEffectiveDate(EntryRejected):
    """An effective date that is not a date."""

    code = "invalid_effective_date"


class InvalidReference(EntryRejected):
    """A reference key or value out of its shape."""

    code = "invalid_reference"


class InvalidReversal(EntryRejected):
    """A reversal that names no entry, or an entry that names one without being a reversal."""

    code = "invalid_reversal"


class SystemEntryWithPostings(EntryRejected):
    """A genesis or key-rotation entry carries no money."""

    code = "system_entry_with_postings"


class TooFewPostings(EntryRejected):
    """An entry moves money with fewer than two postings."""

    code = "too_few_postings"


class InvalidDirection(EntryRejected):
    """A posting is neither a debit nor a credit."""

    code = "invalid_direction"


class AmountNotInteger(EntryRejected):
    """An amount is not a whole number of minor units."""

    code = "amount_not_integer"


class AmountMustBePositive(EntryRejected):
    """An amount is zero or negative: the direction carries the sign."""

    code = "amount_must_be_positive"


class EntryAmountTooLarge(EntryRejected):
    """An amount beyond ``MAX_AMOUNT_MINOR``."""

    code = "amount_too_large"


class UnknownEntryCurrency(EntryRejected):
    """A posting's currency is not an ISO 4217 code."""

    code = "unknown_currency"


class UnknownAccount(EntryRejected):
    """A posting names an account the chart does not have."""

    code = "unknown_account"


class AccountClosed(EntryRejected):
    """A posting names an account that is no longer active."""

    code = "account_closed"


class EntryUnbalanced(EntryRejected):
    """Debits and credits differ in some currency."""

    code = "entry_unbalanced"


class FloatInEntry(EntryRejected):
    """A float in an entry's data or references: canonical bytes allow no floats."""

    code = "float_in_entry"


class InvalidData(EntryRejected):
    """An entry's data is not a JSON object of plain values."""

    code = "invalid_data"


class ReversalWithoutTarget(EntryRejected):
    """A reversal that does not say which entry it reverses."""

    code = "reversal_without_target"


class EntryAlreadyReversed(EntryRejected):
    """An entry is reversed once (in the journal, or twice in one batch)."""

    code = "entry_already_reversed"


class ReversalTargetMissing(EntryRejected):
    """A reversal names an entry the journal does not hold."""

    code = "reversal_target_missing"


class ReversalDoesNotMirror(EntryRejected):
    """A reversal must mirror every posting of the entry it reverses."""

    code = "reversal_does_not_mirror"


# -- keys, accounts, amounts, files and proofs -----------------------------------------------------------------------


class SigningKeyRotated(LedgerError):
    """The signing key was rotated by someone else meanwhile; nothing was written."""

    code = "signing_key_rotated"


class SameKey(LedgerError):
    """A rotation to the key already in force."""

    code = "same_key"


class InvalidKeyFile(LedgerError):
    """A public-key file that is not what ``disburse`` writes."""

    code = "invalid_key_file"


class InvalidAccountCode(LedgerError):
    """An account code outside 1-64 letters, digits and . _ : -."""

    code = "invalid_account_code"


class AmountPrecisionExceeded(LedgerError):
    """An amount with more decimal places than its currency's minor unit."""

    code = "amount_precision_exceeded"


class InvalidCheckpointFile(LedgerError):
    """A checkpoint file that does not parse as one."""

    code = "invalid_checkpoint_file"


class InvalidProofRequest(LedgerError):
    """A proof asked for positions outside the checkpoint's tree."""

    code = "invalid_proof_request"


class ProofLeavesMissing(LedgerError):
    """The leaves a proof needs are not all there."""

    code = "proof_leaves_missing"
