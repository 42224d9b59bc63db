"""The example agency's people: one user per staff role (two approvers, so that dual approval can be tried), and
one portal user per example vendor once the vendors exist.

They have no passwords: `disburse users token <username>` prints a token, `disburse users password <username>`
sets a password for the web sign-in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from payments.identity import Role
from payments.people.users_service import UserSpec

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
