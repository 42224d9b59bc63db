"""The notice a bank-account change sends to the vendor's previous contact (an outbox message).

Kept with the bank-account feature, not in the kernel's outbox module: the outbox knows messages, not what a
bank-account change is.
"""

from __future__ import annotations

from datetime import datetime

from payments.notices import Channel, NoticeKind, OutboxMessage
from payments.people.bank_accounts import BankAccountChange


def bank_details_changed_notice(change: BankAccountChange, *, message_id: str, recipient: str, channel: Channel,
                                now: datetime) -> OutboxMessage:
    """Tell the vendor's *previous* contact that its bank details changed, while there is time to object.

    Sent to the contact on file before the change, never to one the request supplied: a thief who changed both
    would otherwise be told about his own work. Record it when the change is approved, so the message can name
    the end of the cooling-off period.
    """
    facts = {
        "change_id": change.change_id,
        "account_mask": change.account_mask,
        "routing_number": change.routing_number,
        "requested_at": change.requested_at.isoformat(),
    }
    if change.cooling_off_until is not None:
        facts["cooling_off_until"] = change.cooling_off_until.isoformat()
    return OutboxMessage(message_id=message_id, kind=NoticeKind.BANK_DETAILS_CHANGED, channel=Channel(channel),
                         recipient=recipient, vendor_id=change.vendor_id, subject_id=change.change_id,
                         created_at=now, facts=facts)
