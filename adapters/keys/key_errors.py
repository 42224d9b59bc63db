"""Refusals of the key files on disk, each with a stable code."""

from __future__ import annotations

from ledger.errors import LedgerError


class SigningKeyMissing(LedgerError):
    """The key directory holds no private key for the key in force."""

    code = "signing_key_missing"


class SigningKeyCorrupt(LedgerError):
    """A key file that is not the 32-byte seed of the key it is named for."""

    code = "signing_key_corrupt"
