"""SQL repositories for vendor contacts, bank accounts (number sealed), change requests and the notice outbox."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from adapters.db.people.contact_change_repo import SqlContactChanges
from adapters.db.people.identity_repo import _locked, stale, to_text, to_time
from adapters.db.people.identity_tables import bank_account_changes, outbox_messages, vendor_bank_accounts, vendor_contacts
from payments.people.bank_account_records import AccountStatus, BankAccount, ChangeRecord, VendorContact
from payments.people.bank_accounts import (DepositAccountType, BankAccountChange, BankChangeStatus, CallbackOutcome,
                                    CallbackRecord)
from payments.notices import Channel, NoticeKind, OutboxMessage, OutboxStatus

ACTIVE_OR_PENDING = (AccountStatus.PENDING.value, AccountStatus.ACTIVE.value)


class SqlVendorContactRepository(SqlContactChanges):
    """The contact on file (here) and the requested changes of it (``SqlContactChanges``)."""

    def get(self, vendor_id: str) -> VendorContact | None:
        r = self._conn.execute(select(vendor_contacts).where(vendor_contacts.c.vendor_id == vendor_id)).first()
        return VendorContact(r.vendor_id, r.phone, r.email, r.name, to_time(r.updated_at), r.updated_by) if r else None

    def put(self, contact: VendorContact) -> None:
        values = {"phone": contact.phone, "email": contact.email, "name": contact.name,
                  "updated_at": to_text(contact.updated_at), "updated_by": contact.updated_by}
        moved = self._conn.execute(update(vendor_contacts).where(vendor_contacts.c.vendor_id == contact.vendor_id)
                                   .values(**values)).rowcount
        if not moved:
            self._conn.execute(insert(vendor_contacts).values(vendor_id=contact.vendor_id, **values))


def _account(r: Any) -> BankAccount:
    return BankAccount(r.id, r.vendor_id, r.routing_number, DepositAccountType(r.account_type), r.account_last4,
                       r.account_fingerprint, AccountStatus(r.status), r.change_id, to_time(r.created_at),
                       to_time(r.activated_at))


def _change(r: Any) -> ChangeRecord:
    callback = None
    if r.callback_by:
        callback = CallbackRecord(r.callback_by, to_time(r.callback_at), r.callback_number,
                                  CallbackOutcome(r.callback_outcome), r.callback_note or "")
    change = BankAccountChange(
        change_id=r.id, vendor_id=r.vendor_id, routing_number=r.routing_number,
        account_type=DepositAccountType(r.account_type), account_mask=r.account_mask, phone_on_file=r.phone_on_file,
        requested_by=r.requested_by, requested_at=to_time(r.requested_at), status=BankChangeStatus(r.status),
        account_fingerprint=r.account_fingerprint, callback=callback, approved_by=r.approved_by,
        approved_at=to_time(r.approved_at), cooling_off_until=to_time(r.cooling_off_until),
        prenote_sent_at=to_time(r.prenote_sent_at), activated_at=to_time(r.activated_at), closed_by=r.closed_by,
        closed_at=to_time(r.closed_at), close_reason=r.close_reason)
    # A cleared signal no longer holds payments; the audit trail keeps who cleared it and why.
    shared = () if r.shared_cleared_at else tuple(json.loads(r.shared_with_json or "[]"))
    return ChangeRecord(change, r.bank_account_id, shared)


def _change_values(c: BankAccountChange) -> dict:
    cb = c.callback
    return {"status": c.status.value, "callback_by": cb.called_by if cb else None,
            "callback_at": to_text(cb.called_at) if cb else None, "callback_number": cb.number_called if cb else None,
            "callback_outcome": cb.outcome.value if cb else None, "callback_note": cb.note if cb else None,
            "approved_by": c.approved_by, "approved_at": to_text(c.approved_at),
            "cooling_off_until": to_text(c.cooling_off_until), "prenote_sent_at": to_text(c.prenote_sent_at),
            "activated_at": to_text(c.activated_at), "closed_by": c.closed_by, "closed_at": to_text(c.closed_at),
            "close_reason": c.close_reason}


class SqlBankAccountRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- accounts --------------------------------------------------------------------------------------
    def add_account(self, account: BankAccount, ciphertext: bytes) -> None:
        self._conn.execute(insert(vendor_bank_accounts).values(
            id=account.account_id, vendor_id=account.vendor_id, routing_number=account.routing_number,
            account_type=account.account_type.value, account_ciphertext=ciphertext, account_last4=account.last4,
            account_fingerprint=account.fingerprint, status=account.status.value, change_id=account.change_id,
            created_at=to_text(account.created_at), updated_at=to_text(account.created_at)))

    def get_account(self, account_id: str) -> BankAccount | None:
        r = self._conn.execute(select(vendor_bank_accounts).where(vendor_bank_accounts.c.id == account_id)).first()
        return _account(r) if r else None

    def ciphertext(self, account_id: str) -> bytes | None:
        t = vendor_bank_accounts
        blob = self._conn.execute(select(t.c.account_ciphertext).where(t.c.id == account_id)).scalar()
        return bytes(blob) if blob is not None else None

    def accounts_for_vendor(self, vendor_id: str) -> list[BankAccount]:
        t = vendor_bank_accounts
        return [_account(r) for r in self._conn.execute(select(t).where(t.c.vendor_id == vendor_id)
                                                        .order_by(t.c.id.desc()))]

    def set_account_status(self, account_id: str, expected: AccountStatus, new: AccountStatus,
                           now: dt.datetime) -> None:
        t = vendor_bank_accounts
        values: dict[str, Any] = {"status": new.value, "updated_at": to_text(now)}
        if new is AccountStatus.ACTIVE:
            values["activated_at"] = to_text(now)
        moved = self._conn.execute(update(t).where(t.c.id == account_id, t.c.status == expected.value)
                                   .values(**values)).rowcount
        if moved != 1:
            raise stale(f"bank account {account_id}")

    def vendors_sharing(self, fingerprint: str, vendor_id: str) -> list[str]:
        t = vendor_bank_accounts
        stmt = (select(t.c.vendor_id).distinct()
                .where(t.c.account_fingerprint == fingerprint, t.c.vendor_id != vendor_id,
                       t.c.status.in_(ACTIVE_OR_PENDING)).order_by(t.c.vendor_id))
        return [r[0] for r in self._conn.execute(stmt)]

    # -- change requests -------------------------------------------------------------------------------
    def add_change(self, record: ChangeRecord) -> None:
        c = record.change
        self._conn.execute(insert(bank_account_changes).values(
            id=c.change_id, vendor_id=c.vendor_id, bank_account_id=record.bank_account_id,
            routing_number=c.routing_number, account_type=c.account_type.value, account_mask=c.account_mask,
            account_fingerprint=c.account_fingerprint, phone_on_file=c.phone_on_file, requested_by=c.requested_by,
            requested_at=to_text(c.requested_at), shared_with_json=json.dumps(list(record.shared_with_vendors)),
            **_change_values(c)))

    def get_change(self, change_id: str, *, for_update: bool = False) -> ChangeRecord | None:
        stmt = _locked(select(bank_account_changes).where(bank_account_changes.c.id == change_id), self._conn,
                       for_update)
        r = self._conn.execute(stmt).first()
        return _change(r) if r else None

    def save_change(self, change: BankAccountChange, *, expected: BankChangeStatus) -> None:
        t = bank_account_changes
        moved = self._conn.execute(update(t).where(t.c.id == change.change_id, t.c.status == expected.value)
                                   .values(**_change_values(change))).rowcount
        if moved != 1:
            raise stale(f"bank-account change {change.change_id}")

    def clear_shared(self, change_id: str, user_id: str, now: dt.datetime, reason: str) -> None:
        t = bank_account_changes
        moved = self._conn.execute(update(t).where(t.c.id == change_id, t.c.shared_cleared_at.is_(None))
                                   .values(shared_cleared_by=user_id, shared_cleared_at=to_text(now),
                                           shared_cleared_reason=reason)).rowcount
        if moved != 1:
            raise stale(f"bank-account change {change_id}")

    def list_changes(self, *, vendor_id: str | None = None, status: BankChangeStatus | None = None,
                     after: str | None = None, limit: int = 100) -> list[ChangeRecord]:
        t = bank_account_changes
        stmt = select(t).order_by(t.c.id).limit(limit)
        if vendor_id is not None:
            stmt = stmt.where(t.c.vendor_id == vendor_id)
        if status is not None:
            stmt = stmt.where(t.c.status == BankChangeStatus(status).value)
        if after:
            stmt = stmt.where(t.c.id > after)
        return [_change(r) for r in self._conn.execute(stmt)]


class SqlOutboxRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, message: OutboxMessage) -> None:
        self._conn.execute(insert(outbox_messages).values(
            id=message.message_id, kind=message.kind.value, channel=message.channel.value,
            recipient=message.recipient, vendor_id=message.vendor_id, subject_id=message.subject_id,
            created_at=to_text(message.created_at), facts_json=json.dumps(dict(message.facts), sort_keys=True),
            status=message.status.value, sent_at=to_text(message.sent_at), failure=message.failure))

    def list(self, *, vendor_id: str | None = None, status: str | None = None) -> list[OutboxMessage]:
        t = outbox_messages
        stmt = select(t).order_by(t.c.id)
        if vendor_id is not None:
            stmt = stmt.where(t.c.vendor_id == vendor_id)
        if status is not None:
            stmt = stmt.where(t.c.status == status)
        return [OutboxMessage(r.id, NoticeKind(r.kind), Channel(r.channel), r.recipient, r.vendor_id, r.subject_id,
                              to_time(r.created_at), json.loads(r.facts_json), OutboxStatus(r.status),
                              to_time(r.sent_at), r.failure) for r in self._conn.execute(stmt)]
