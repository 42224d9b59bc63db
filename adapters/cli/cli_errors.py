"""Refusals of the command line's own arguments and files, each with a stable code (the exit status maps them)."""

from __future__ import annotations

from ledger.errors import LedgerError
from payments.errors import InvalidInput


class FileNotReadable(LedgerError):
    """A file named on the command line cannot be read."""

    code = "file_not_readable"


class ConflictingTrustAnchors(LedgerError):
    """More than one trust anchor was given."""

    code = "conflicting_trust_anchors"


class InvalidAnchor(LedgerError):
    """A trust anchor that is not a checkpoint or key of this journal."""

    code = "invalid_anchor"


class NoTrustAnchor(LedgerError):
    """Verification needs a trust anchor outside the database."""

    code = "no_trust_anchor"


class InvalidProofBundle(LedgerError):
    """A proof bundle that is not a JSON object."""

    code = "invalid_proof_bundle"


class InvalidPublicKey(LedgerError):
    """A public key that is not 64 hex digits."""

    code = "invalid_public_key"


class UsageError(LedgerError):
    """The command's arguments do not go together."""

    code = "usage"


class InvalidDate(InvalidInput):
    """A --date that is not an ISO date."""

    code = "invalid_date"
