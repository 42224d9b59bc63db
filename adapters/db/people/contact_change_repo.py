"""SQL repository for changes of a vendor's contact on file (``payments.people.contact_changes``)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from adapters.db.people.identity_repo import _locked, stale, to_text, to_time
from adapters.db.people.identity_tables import vendor_contact_changes as t
from payments.people.bank_account_records import VendorContact
from payments.people.contact_changes import ContactChange, ContactChangeStatus


def _previous(text: str) -> VendorContact:
    p = json.loads(text)
    return VendorContact(p["vendor_id"], p["phone"], p.get("email"), p.get("name"), to_time(p["updated_at"]),
                         p["updated_by"])


def _change(r: Any) -> ContactChange:
    return ContactChange(r.id, r.vendor_id, r.phone, r.email, r.name, _previous(r.previous_json), r.requested_by,
                         to_time(r.requested_at), ContactChangeStatus(r.status), r.approved_by, to_time(r.approved_at),
                         to_time(r.cooling_off_until), r.closed_by, to_time(r.closed_at), r.close_reason)


def _decision(c: ContactChange) -> dict:
    return {"status": c.status.value, "approved_by": c.approved_by, "approved_at": to_text(c.approved_at),
            "cooling_off_until": to_text(c.cooling_off_until), "closed_by": c.closed_by,
            "closed_at": to_text(c.closed_at), "close_reason": c.close_reason}


class SqlContactChanges:
    """The contact-change half of ``SqlVendorContactRepository`` (the contact on file and its changes)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add_change(self, change: ContactChange) -> None:
        p = change.previous
        previous = json.dumps({**p.snapshot(), "updated_at": to_text(p.updated_at), "updated_by": p.updated_by},
                              sort_keys=True)
        self._conn.execute(insert(t).values(
            id=change.change_id, vendor_id=change.vendor_id, phone=change.phone, email=change.email,
            name=change.name, previous_json=previous, requested_by=change.requested_by,
            requested_at=to_text(change.requested_at), **_decision(change)))

    def get_change(self, change_id: str, *, for_update: bool = False) -> ContactChange | None:
        r = self._conn.execute(_locked(select(t).where(t.c.id == change_id), self._conn, for_update)).first()
        return _change(r) if r else None

    def save_change(self, change: ContactChange, *, expected: ContactChangeStatus) -> None:
        moved = self._conn.execute(update(t).where(t.c.id == change.change_id, t.c.status == expected.value)
                                   .values(**_decision(change))).rowcount
        if moved != 1:
            raise stale(f"contact change {change.change_id}")

    def changes_for_vendor(self, vendor_id: str) -> list[ContactChange]:
        stmt = select(t).where(t.c.vendor_id == vendor_id).order_by(t.c.requested_at, t.c.id)
        return [_change(r) for r in self._conn.execute(stmt)]
