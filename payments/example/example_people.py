"""The example agency's people: one user per staff role (two approvers, so that dual approval can be tried), and
one portal user per example vendor once the vendors exist.

When the example is loaded (`disburse serve --example`, `disburse init --example`) each person created gets a
random password for the web sign-in, printed once and kept only as its argon2id hash;
`disburse users password <username>` sets another, `disburse users token <username>` prints an API token.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import Any

from payments.identity import Role
from payments.people.users_service import CLI_OPERATOR, UserSpec, UsersService

EXAMPLE_STAFF: tuple[UserSpec, ...] = (
    UserSpec("clerk", "Casey Clerk (AP clerk)", frozenset({Role.AP_CLERK})),
    UserSpec("approver", "Avery Approver (AP approver)", frozenset({Role.AP_APPROVER})),
    UserSpec("approver2", "Blake Approver (second AP approver)", frozenset({Role.AP_APPROVER})),
    UserSpec("treasurer", "Taylor Treasurer (treasurer)", frozenset({Role.TREASURER})),
    UserSpec("vendoradmin", "Val Vendor-Admin (vendor admin)", frozenset({Role.VENDOR_ADMIN})),
    UserSpec("auditor", "Ari Auditor (auditor)", frozenset({Role.AUDITOR})),
    UserSpec("admin", "Sam Admin (administrator)", frozenset({Role.ADMIN})),
)


def example_vendor_users(vendors: Iterable[tuple[str, str]]) -> list[UserSpec]:
    """A portal user per ``(vendor_id, vendor_name)``, named for the vendor: ``Acme Office Supply`` → ``acme-office-supply``."""
    return [UserSpec(_slug(name), f"{name} (vendor portal)", frozenset({Role.VENDOR}), vendor_id)
            for vendor_id, name in vendors]


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "vendor"


def example_people(vendors: Iterable[tuple[str, str]] = ()) -> list[UserSpec]:
    return [*EXAMPLE_STAFF, *example_vendor_users(vendors)]


def give_passwords(users: UsersService, created: Iterable[Any]) -> list[tuple[str, str, str]]:
    """A random password for each example person just created: ``(username, display name, password)``, to be
    shown once. People who already existed keep theirs (loading the example again prints nothing new)."""
    out = []
    for user in created:
        password = secrets.token_urlsafe(12)  # 16 characters, 96 bits
        users.set_password(CLI_OPERATOR, user.user_id, password)
        out.append((user.username, user.display_name, password))
    return out
