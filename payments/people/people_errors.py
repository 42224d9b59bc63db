"""Refusals of the people feature (users, tokens, contacts, bank accounts), each with a stable code."""

from __future__ import annotations

from payments.errors import InvalidInput


# -- users and their tokens (users_service) --------------------------------------------------------------------------


class RoleUnknown(InvalidInput):
    """A role that is not one of ``Role``."""

    code = "role_unknown"


class RolesRequired(InvalidInput):
    """A user is given no role at all."""

    code = "roles_required"


class RolesInvalid(InvalidInput):
    """Roles that may not be held together (vendor and staff roles, say)."""

    code = "roles_invalid"


class TokenTTLInvalid(InvalidInput):
    """An API token's lifetime is under one day."""

    code = "token_ttl_invalid"


class BootstrapTokenInvalid(InvalidInput):
    """The bootstrap admin token is not shaped like a Disburse token."""

    code = "bootstrap_token_invalid"


# -- sign-in help, contacts and bank accounts ------------------------------------------------------------------------


class ResetUnavailable(InvalidInput):
    """No field cipher is configured to seal a password-reset link."""

    code = "reset_unavailable"


class PhoneInvalid(InvalidInput):
    """A phone number on file needs 7 to 15 digits."""

    code = "phone_invalid"


class NoSharedSignal(InvalidInput):
    """A shared-account signal is cleared on a bank change that raised none."""

    code = "no_shared_signal"
