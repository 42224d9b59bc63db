"""Who may do what: roles, actions, the one authorization table, and the principal making a request.

Every HTTP route declares the ``Action`` it performs and asks ``authorize(principal, action)``. The table
``PERMISSIONS`` is the only place that grants an action to a role; nothing else widens it. Separation of
duties (who may approve *this* invoice) is a second, per-object check in ``payments.controls``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from payments.errors import Forbidden, InvalidInput


class Role(StrEnum):
    """A job a user holds; a user may hold several staff roles, or exactly the ``vendor`` role."""

    AP_CLERK = "ap_clerk"
    """Enters purchase orders, receipts, invoices and credit memos."""
    AP_APPROVER = "ap_approver"
    """Approves purchase orders and invoices, and releases matching holds with a reason."""
    TREASURER = "treasurer"
    """Releases and submits payment runs, imports statements, reconciles cash."""
    VENDOR_ADMIN = "vendor_admin"
    """Maintains vendor records and their bank-account change requests."""
    AUDITOR = "auditor"
    """Reads everything staff can read, including the audit trail; writes nothing."""
    ADMIN = "admin"
    """Manages users and keeps the ledger checkpointed; moves no money."""
    VENDOR = "vendor"
    """An outside supplier's user, bound to exactly one vendor, seeing only its own portal."""


class ActionKind(StrEnum):
    """Whether an action reads, writes, or reveals a secret."""

    READ = "read"
    """Looks without changing anything."""
    WRITE = "write"
    """Creates, changes or moves something."""
    REVEAL = "reveal"
    """Shows a secret in clear (a full bank-account number); granted more narrowly than reads."""


class Action(StrEnum):
    """Something a route does; the unit the authorization table grants."""

    LEDGER_READ = "ledger.read"
    """See journal entries, balances and checkpoints."""
    LEDGER_POST = "ledger.post"
    """Post a manual (adjusting or reversing) journal entry."""
    LEDGER_VERIFY = "ledger.verify"
    """Re-derive hashes and check signatures; changes nothing."""
    LEDGER_CHECKPOINT = "ledger.checkpoint"
    """Write a signed checkpoint of the chain head."""
    VENDOR_READ = "vendor.read"
    """See vendor records with bank accounts masked."""
    VENDOR_CREATE = "vendor.create"
    """Create a vendor."""
    VENDOR_UPDATE = "vendor.update"
    """Change a vendor's non-bank details, or ask to change its contact on file."""
    VENDOR_CONTACT_APPROVE = "vendor_contact.approve"
    """Approve (or reject) someone else's change of a vendor's contact on file, which call-backs use."""
    BANK_ACCOUNT_REQUEST = "bank_account.request"
    """Open a bank-account change request on a vendor's behalf."""
    BANK_ACCOUNT_CALLBACK = "bank_account.callback"
    """Record the call-back to the vendor's phone number on file."""
    BANK_ACCOUNT_APPROVE = "bank_account.approve"
    """Approve (or reject, or block) a called-back bank-account change."""
    BANK_ACCOUNT_REVEAL = "bank_account.reveal"
    """See a full bank-account number in clear; every use is audited."""
    BUDGET_MANAGE = "budget.manage"
    """Set budgets and appropriations by fund, department and object code."""
    PO_CREATE = "po.create"
    """Enter a purchase order."""
    PO_APPROVE = "po.approve"
    """Approve a purchase order, encumbering its total."""
    PO_CLOSE = "po.close"
    """Close a purchase order, liquidating what remains encumbered."""
    RECEIPT_CREATE = "receipt.create"
    """Record goods or services received against a purchase order."""
    INVOICE_CREATE = "invoice.create"
    """Enter or correct an invoice."""
    INVOICE_APPROVE = "invoice.approve"
    """Approve an invoice for payment."""
    INVOICE_RELEASE_HOLD = "invoice.release_hold"
    """Release a matching hold on an invoice, with a reason."""
    INVOICE_DISPUTE = "invoice.dispute"
    """Record a dispute noticed to the vendor over an invoice and its resolution, or what stopped its prompt-pay clock."""
    INVOICE_READ = "invoice.read"
    """See invoices, their matching findings and holds."""
    CREDIT_MEMO_CREATE = "credit_memo.create"
    """Enter a vendor's credit memo."""
    PAYMENT_RUN_CREATE = "payment_run.create"
    """Propose a payment run from approved invoices."""
    PAYMENT_RUN_RELEASE = "payment_run.release"
    """Release a proposed payment run for sending."""
    PAYMENT_RUN_SUBMIT = "payment_run.submit"
    """Hand a released payment run to a rail."""
    PAYMENT_RUN_READ = "payment_run.read"
    """See payment runs and their payments."""
    STATEMENTS_IMPORT = "statements.import"
    """Import a bank statement or a returns file."""
    RECONCILIATION_READ = "reconciliation.read"
    """See matched and unmatched statement lines."""
    RECONCILIATION_RESOLVE = "reconciliation.resolve"
    """Match a statement line to a payment by hand."""
    RECONCILIATION_WRITE_OFF = "reconciliation.write_off"
    """Write off an unreconciled difference."""
    SANDBOX_OPERATE = "sandbox.operate"
    """Tell the sandbox bank to return a payment, send a NOC or a statement (refused unless it is the rail in use)."""
    AUDIT_READ = "audit.read"
    """See the audit trail (who did what, when, including reveals)."""
    USERS_MANAGE = "users.manage"
    """Create users, grant and revoke roles, revoke tokens."""
    PORTAL_READ = "portal.read"
    """A vendor sees its own invoices, payments and remittances."""
    PORTAL_SUBMIT_INVOICE = "portal.submit_invoice"
    """A vendor submits an invoice of its own."""
    PORTAL_REQUEST_BANK_CHANGE = "portal.request_bank_change"
    """A vendor asks to change its own bank account (which staff then call back and approve)."""

    @property
    def kind(self) -> ActionKind:
        return _KIND.get(self, ActionKind.WRITE)

    @property
    def is_portal(self) -> bool:
        return self.value.startswith("portal.")


# Anything not listed is a write: forgetting to classify a new action fails closed for the auditor.
_KIND: Mapping[Action, ActionKind] = {
    Action.LEDGER_READ: ActionKind.READ,
    Action.LEDGER_VERIFY: ActionKind.READ,
    Action.VENDOR_READ: ActionKind.READ,
    Action.INVOICE_READ: ActionKind.READ,
    Action.PAYMENT_RUN_READ: ActionKind.READ,
    Action.RECONCILIATION_READ: ActionKind.READ,
    Action.AUDIT_READ: ActionKind.READ,
    Action.PORTAL_READ: ActionKind.READ,
    Action.BANK_ACCOUNT_REVEAL: ActionKind.REVEAL,
}

# What every staff member may look at; the audit trail is narrower (auditor, admin).
_STAFF_READS = frozenset(
    {
        Action.LEDGER_READ,
        Action.LEDGER_VERIFY,
        Action.VENDOR_READ,
        Action.INVOICE_READ,
        Action.PAYMENT_RUN_READ,
        Action.RECONCILIATION_READ,
    }
)

PERMISSIONS: Mapping[Role, frozenset[Action]] = MappingProxyType(
    {
        Role.AP_CLERK: _STAFF_READS
        | {
            Action.PO_CREATE,
            Action.PO_CLOSE,
            Action.RECEIPT_CREATE,
            Action.INVOICE_CREATE,
            Action.CREDIT_MEMO_CREATE,
            Action.PAYMENT_RUN_CREATE,
        },
        Role.AP_APPROVER: _STAFF_READS
        | {
            Action.PO_APPROVE,
            Action.PO_CLOSE,
            Action.INVOICE_APPROVE,
            Action.INVOICE_RELEASE_HOLD,
            Action.INVOICE_DISPUTE,
            Action.BANK_ACCOUNT_CALLBACK,
        },
        Role.TREASURER: _STAFF_READS
        | {
            Action.LEDGER_POST,
            Action.LEDGER_CHECKPOINT,
            Action.BUDGET_MANAGE,
            Action.BANK_ACCOUNT_APPROVE,
            Action.VENDOR_CONTACT_APPROVE,
            Action.PAYMENT_RUN_CREATE,
            Action.PAYMENT_RUN_RELEASE,
            Action.PAYMENT_RUN_SUBMIT,
            Action.STATEMENTS_IMPORT,
            Action.RECONCILIATION_RESOLVE,
            Action.RECONCILIATION_WRITE_OFF,
            Action.SANDBOX_OPERATE,
        },
        Role.VENDOR_ADMIN: _STAFF_READS
        | {
            Action.VENDOR_CREATE,
            Action.VENDOR_UPDATE,
            Action.BANK_ACCOUNT_REQUEST,
            Action.BANK_ACCOUNT_CALLBACK,
            Action.BANK_ACCOUNT_APPROVE,
            Action.BANK_ACCOUNT_REVEAL,
            Action.VENDOR_CONTACT_APPROVE,
        },
        Role.AUDITOR: _STAFF_READS | {Action.AUDIT_READ},
        Role.ADMIN: _STAFF_READS | {Action.AUDIT_READ, Action.USERS_MANAGE, Action.LEDGER_CHECKPOINT},
        Role.VENDOR: frozenset({Action.PORTAL_READ, Action.PORTAL_SUBMIT_INVOICE, Action.PORTAL_REQUEST_BANK_CHANGE}),
    }
)


def is_allowed(role: Role | str, action: Action | str) -> bool:
    """Whether the table grants ``action`` to ``role``; unknown roles or actions are never allowed."""
    try:
        return Action(action) in PERMISSIONS[Role(role)]
    except (ValueError, KeyError):
        return False


def roles_allowed(action: Action) -> frozenset[Role]:
    return frozenset(role for role, actions in PERMISSIONS.items() if action in actions)


class ActionNotAllowed(Forbidden):
    """None of the caller's roles grants the action."""

    code = "action_not_allowed"

    def __init__(self, user_id: str, action: Action) -> None:
        super().__init__(f"user {user_id} may not {action.value}", user_id=user_id, action=action.value)


class OtherVendorForbidden(Forbidden):
    """A vendor user reached for another vendor's records."""

    code = "other_vendor_forbidden"

    def __init__(self, user_id: str, vendor_id: str) -> None:
        super().__init__(f"user {user_id} may not act for vendor {vendor_id}", user_id=user_id, vendor_id=vendor_id)


class InvalidPrincipal(InvalidInput):
    """A principal's roles and vendor binding contradict each other."""

    code = "invalid_principal"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated user behind a request: who, holding which roles, bound to which vendor."""

    user_id: str
    roles: frozenset[Role]
    vendor_id: str | None = None

    def __post_init__(self) -> None:
        roles = frozenset(Role(r) for r in self.roles)
        object.__setattr__(self, "roles", roles)
        if not self.user_id:
            raise InvalidPrincipal("a principal needs a user id")
        if not roles:
            raise InvalidPrincipal(f"user {self.user_id} holds no role")
        # A vendor user is an outsider: mixing in a staff role would let one login both submit and approve.
        if Role.VENDOR in roles and len(roles) > 1:
            raise InvalidPrincipal(f"user {self.user_id} mixes the vendor role with staff roles")
        if Role.VENDOR in roles and not self.vendor_id:
            raise InvalidPrincipal(f"vendor user {self.user_id} is bound to no vendor")
        if Role.VENDOR not in roles and self.vendor_id is not None:
            raise InvalidPrincipal(f"staff user {self.user_id} cannot be bound to a vendor")

    @classmethod
    def staff(cls, user_id: str, *roles: Role) -> Principal:
        return cls(user_id=user_id, roles=frozenset(roles))

    @classmethod
    def vendor_user(cls, user_id: str, vendor_id: str) -> Principal:
        return cls(user_id=user_id, roles=frozenset({Role.VENDOR}), vendor_id=vendor_id)

    @property
    def is_vendor(self) -> bool:
        return Role.VENDOR in self.roles

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def can(self, action: Action) -> bool:
        return any(is_allowed(role, action) for role in self.roles)

    @property
    def actions(self) -> frozenset[Action]:
        return frozenset().union(*(PERMISSIONS[role] for role in self.roles))


def authorize(principal: Principal, action: Action) -> None:
    """Raise ``ActionNotAllowed`` unless one of the principal's roles grants ``action``."""
    if not principal.can(action):
        raise ActionNotAllowed(principal.user_id, action)


def authorize_for_vendor(principal: Principal, action: Action, vendor_id: str) -> None:
    """Like ``authorize``, and a vendor user may touch only its own vendor's records."""
    authorize(principal, action)
    if principal.is_vendor and principal.vendor_id != vendor_id:
        raise OtherVendorForbidden(principal.user_id, vendor_id)


# Writes that are not a step in paying anyone: keeping the books' checkpoint, and administering users (which
# ``payments.people.users_service`` keeps from becoming acting as someone: no tokens or passwords for others, and a
# second administrator for every user or role added).
_NOT_MONEY = frozenset({Action.LEDGER_CHECKPOINT, Action.USERS_MANAGE})


def moves_money(action: Action) -> bool:
    """Whether the action is a step on the way to paying someone (every write but the two above): ``admin``
    holds none of them."""
    return action.kind is ActionKind.WRITE and action not in _NOT_MONEY


def staff_reads() -> frozenset[Action]:
    """Every read granted to any staff role: the set the auditor must cover."""
    staff = (actions for role, actions in PERMISSIONS.items() if role is not Role.VENDOR)
    return frozenset(a for a in frozenset().union(*staff) if a.kind is ActionKind.READ)
