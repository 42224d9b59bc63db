"""The audit trail on SQLite and PostgreSQL: every state change and every reveal is an event committed with the
change itself, digests chain before to after, auditors can filter it, it verifies, and tampering is caught."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from ledger.checkpoint import Checkpoint
from payments.audit import digest
from payments.errors import DomainError
from payments.identity import Role
from tests.e2e.people import ON_FILE, ROUTING, People, client_for, people, set_contact, stack  # noqa: F401

ACME = "ven_01AUDITACME00000000000000"


def walk(stack, people):  # noqa: ANN001, ANN201
    """Val asks, Vic calls back, Tess approves; Val reveals the number to check it. Returns the change id."""
    set_contact(stack, ACME)
    val, vic, tess = (people.principal(n) for n in ("val", "vic", "tess"))
    svc = stack.bank_accounts
    change_id = svc.request_change(val, ACME, routing_number=ROUTING, account_number="000123456789",
                                   account_type="checking").change.change_id
    svc.record_callback(vic, change_id, number_called=ON_FILE, outcome="confirmed")
    svc.approve(tess, change_id)
    return change_id


@pytest.fixture
def cast(stack, people):  # noqa: ANN001, ANN201
    for name, role in (("val", Role.VENDOR_ADMIN), ("vic", Role.VENDOR_ADMIN), ("tess", Role.TREASURER),
                       ("aud", Role.AUDITOR)):
        people.add(name, role)
    return people


def test_each_step_is_an_event_whose_digests_chain_from_before_to_after(stack, cast):
    change_id = walk(stack, cast)
    events = stack.audit.search(object_id=change_id)
    assert [e.action for e in events] == ["bank_change_requested", "bank_change_callback_recorded",
                                          "bank_change_approved"]
    assert [e.actor for e in events] == [cast.ids["val"], cast.ids["vic"], cast.ids["tess"]]
    assert events[0].before_digest is None
    for earlier, later in zip(events, events[1:]):
        assert earlier.after_digest == later.before_digest
    assert events[-1].detail == {"vendor_id": ACME, "from": "callback_recorded", "to": "cooling_off"}
    with stack.uow(read_only=True) as uow:
        record = uow.bank_accounts.get_change(change_id)
    assert events[-1].after_digest == digest(record.snapshot())  # anyone holding the row can re-derive it


def test_a_refused_step_leaves_no_event_and_an_uncommitted_one_leaves_none_either(stack, cast):
    change_id = walk(stack, cast)
    before = len(stack.audit.search())
    with pytest.raises(DomainError):
        stack.bank_accounts.approve(cast.principal("tess"), change_id)  # already approved
    with stack.uow() as uow:
        stack.audit.record(uow, "system", "never_committed", change_id)
        # leaving without commit rolls the event back with everything else
    assert len(stack.audit.search()) == before


def test_secrets_cannot_be_put_in_an_audit_event(stack):
    with stack.uow() as uow, pytest.raises(ValueError):
        stack.audit.record(uow, "system", "oops", "bac_1", after={"account_number": "000123456789"})
    with stack.uow() as uow, pytest.raises(ValueError):
        stack.audit.record(uow, "system", "oops", "usr_1", detail={"password": "hunter2hunter2"})


def test_auditors_filter_the_trail_over_http_and_no_one_else_reads_it(stack, cast):
    change_id = walk(stack, cast)
    aud = cast.headers("aud")
    with client_for(stack) as client:
        r = client.get("/v1/audit", params={"object_id": change_id}, headers=aud)
        assert [e["action"] for e in r.json()["items"]][0] == "bank_change_requested"
        r = client.get("/v1/audit", params={"actor": cast.ids["tess"]}, headers=aud).json()
        assert [e["action"] for e in r["items"]] == ["bank_change_approved"]
        page1 = client.get("/v1/audit", params={"limit": 2}, headers=aud).json()
        page2 = client.get("/v1/audit", params={"limit": 2, "cursor": page1["next_cursor"]}, headers=aud).json()
        assert page1["items"][-1]["sequence"] < page2["items"][0]["sequence"]
        later = client.get("/v1/audit", params={"since": "2099-01-01T00:00:00Z"}, headers=aud).json()
        assert later["items"] == []
        assert client.post("/v1/audit/verify", headers=aud).json()["ok"] is True
        for outsider in (cast.headers("val"), cast.vendor("acme", ACME)):
            refused = client.get("/v1/audit", headers=outsider)
            assert (refused.status_code, refused.json()["code"]) == (403, "action_not_allowed")


def tamper(stack, *statements):  # noqa: ANN001, ANN002
    """Edit the audit journal as an insider with database rights would, triggers out of the way."""
    with stack.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("PRAGMA defer_foreign_keys = ON"))
            for what in ("update", "delete"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS audit_entries_no_{what}"))
        else:
            conn.execute(text("SET session_replication_role = replica"))
        for sql, params in statements:
            conn.execute(text(sql), params)


def test_the_trail_verifies_and_an_edited_event_is_caught_where_it_was_edited(stack, cast):
    change_id = walk(stack, cast)
    assert stack.audit.verify(workers=1).ok
    approved = stack.audit.search(object_id=change_id, action="bank_change_approved")[0]
    # An insider rewrites who approved the change.
    with stack.engine.connect() as conn:
        stored = json.loads(conn.execute(text("SELECT data_json FROM audit_entries WHERE sequence = :s"),
                                         {"s": approved.sequence}).scalar())
    stored["actor"] = cast.ids["vic"]
    tamper(stack, ("UPDATE audit_entries SET data_json = :d WHERE sequence = :s",
                   {"d": json.dumps(stored, sort_keys=True), "s": approved.sequence}))
    report = stack.audit.verify(workers=1)
    assert (report.ok, report.fault.sequence, report.fault.code) == (False, approved.sequence, "hash_mismatch")


def test_a_deleted_tail_of_the_trail_is_caught_against_a_checkpoint(stack, cast, tmp_path):
    walk(stack, cast)
    exported = tmp_path / "audit-cp.json"
    exported.write_text(stack.audit.checkpoint().to_json())
    last = stack.audit.search()[-1]
    tamper(stack, ("DELETE FROM audit_index WHERE sequence = :s", {"s": last.sequence}),
           ("DELETE FROM audit_entries WHERE sequence = :s", {"s": last.sequence}))
    report = stack.audit.verify(workers=1)  # the head row still names the deleted event...
    assert (report.ok, report.fault.code) == (False, "head_mismatch")
    tamper(stack, ("UPDATE audit_head SET sequence = :s, hash = (SELECT hash FROM audit_entries WHERE sequence = :s)",
                   {"s": last.sequence - 1}))
    report = stack.audit.verify(workers=1)  # ...and, that mended too, the checkpoint stored with the trail knows
    assert (report.ok, report.fault.code) == (False, "truncated")
    report = stack.audit.verify(workers=1, checkpoint=Checkpoint.from_json(exported.read_text()))
    assert (report.ok, report.fault.code) == (False, "truncated")


def test_a_ledger_checkpoint_is_not_accepted_for_the_audit_trail(stack):
    with pytest.raises(Exception) as err:
        stack.audit.verify(checkpoint=stack.ledger.checkpoint())
    assert getattr(err.value, "code", "") == "checkpoint_wrong_journal"


def test_the_trail_is_signed_by_its_own_key_not_the_ledgers(stack, cast):
    walk(stack, cast)
    audit_keys = {k.key_id for k in stack.audit.keys()}
    ledger_keys = {k.key_id for k in stack.ledger.keys()}
    assert audit_keys and not audit_keys & ledger_keys
