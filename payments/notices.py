"""Outbox messages the domain asks to send, recorded in the same unit of work as the change that causes them.

A message is a domain record only: a relay adapter delivers it later and marks it sent, so a crash between
"change committed" and "notice sent" can never lose the notice. A notice never carries a full account number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from payments.errors import NoticeRecipientRequired



class NoticeKind(StrEnum):
    """What a notice tells its recipient."""

    BANK_DETAILS_CHANGED = "bank_details_changed"
    """Your bank details were changed; reply before the cooling-off ends if you did not ask for this."""
    CONTACT_DETAILS_CHANGED = "contact_details_changed"
    """The contact we call to verify your bank details was changed; tell us if you did not ask for this."""
    PASSWORD_RESET = "password_reset"
    """A one-time link to set your password (an invitation or a reset); it expires and works once."""


class Channel(StrEnum):
    """How a notice reaches its recipient."""

    EMAIL = "email"
    """An email to the address on file."""
    POSTAL = "postal"
    """A letter to the remittance address on file."""
    SMS = "sms"
    """A text message to the phone on file."""


class OutboxStatus(StrEnum):
    """Whether the relay has delivered a message yet."""

    PENDING = "pending"
    """Recorded, not yet handed to a carrier."""
    SENT = "sent"
    """Handed to the carrier."""
    FAILED = "failed"
    """The carrier refused it; a person should look."""


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One notice to send: to whom, how, what about, and the non-secret facts the template fills in."""

    message_id: str
    kind: NoticeKind
    channel: Channel
    recipient: str
    vendor_id: str
    subject_id: str
    created_at: datetime
    facts: Mapping[str, str] = field(default_factory=dict)
    status: OutboxStatus = OutboxStatus.PENDING
    sent_at: datetime | None = None
    failure: str | None = None

    def __post_init__(self) -> None:
        if not self.recipient.strip():
            raise NoticeRecipientRequired("a notice needs a recipient")
        object.__setattr__(self, "facts", MappingProxyType(dict(self.facts)))
