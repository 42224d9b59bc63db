"""An audit event names the request it was recorded in (issue 17): the X-Request-ID the response echoes and every log
line of the request carries, so that an auditor can go from an event to what the server logged while making it.
The id is part of the signed event; events from before it (and those recorded outside any request) have none and
verify as they always did, side by side with new ones in the one chain. SQLite and PostgreSQL."""

from __future__ import annotations

from payments.audit import AuditTrail
from payments.reconciliation.recon_records import ExceptionKind, ExceptionStatus
from payments.reconciliation.recon_rows import ExceptionRecord
from tests.e2e.conftest import as_role


def test_an_event_recorded_during_a_request_names_it_and_old_events_still_verify(api, container):
    # An event as recorded before events named requests: a trail with no request id to give.
    with container.uow() as uow:
        AuditTrail(container.uow, container.vault, container.clock).record(
            uow, "system", "audit_note_recorded", "note_before", detail={"why": "recorded the old way"})
        uow.recon.add_exceptions([ExceptionRecord("rex_fedwire", "over:pay_1", ExceptionKind.OVER_RAIL_LIMIT,
                                                  ExceptionStatus.OPEN, -120_000, "USD", "over the rail's limit",
                                                  container.clock.now())])
        uow.commit()

    ana = {**as_role("treasurer", "usr_ana"), "X-Request-ID": "ticket-fedwire-dismissal"}
    done = api.post("/v1/reconciliation/exceptions/rex_fedwire/dismiss", headers=ana,
                    json={"reason": "paid by Fedwire"})
    assert done.status_code == 200 and done.headers["X-Request-ID"] == "ticket-fedwire-dismissal"

    auditor = as_role("auditor")
    [dismissed] = api.get("/v1/audit", params={"action": "recon_exception_dismissed"}, headers=auditor).json()["items"]
    assert dismissed["request_id"] == "ticket-fedwire-dismissal" and dismissed["actor"] == "usr_ana"
    [old] = api.get("/v1/audit", params={"action": "audit_note_recorded"}, headers=auditor).json()["items"]
    assert old["request_id"] is None
    # A second dismissal is refused, and a refusal records no event.
    again = api.post("/v1/reconciliation/exceptions/rex_fedwire/dismiss", headers=as_role("treasurer", "usr_ana"),
                     json={"reason": "paid by Fedwire"})
    assert again.status_code == 409
    assert len(api.get("/v1/audit", params={"action": "recon_exception_dismissed"}, headers=auditor).json()["items"]) == 1

    assert container.audit.verify().ok  # the old event and the new one, in one chain
    assert api.post("/v1/audit/verify", headers=auditor).json()["ok"] is True
    with container.uow() as uow:  # outside a request: no id, and no empty one either
        container.audit.record(uow, "system", "audit_note_recorded", "note_after")
        uow.commit()
    assert [e.request_id for e in container.audit.search(action="audit_note_recorded")] == [None, None]
    assert container.audit.verify().ok


def test_the_request_id_is_signed_with_the_event(api, container):
    import json

    from sqlalchemy import text

    from tests.integration.test_audit_trail import tamper

    with container.uow() as uow:
        uow.recon.add_exceptions([ExceptionRecord("rex_fedwire", "over:pay_1", ExceptionKind.OVER_RAIL_LIMIT,
                                                  ExceptionStatus.OPEN, -120_000, "USD", "over the rail's limit",
                                                  container.clock.now())])
        uow.commit()
    assert api.post("/v1/reconciliation/exceptions/rex_fedwire/dismiss", json={"reason": "paid by Fedwire"},
                    headers={**as_role("treasurer", "usr_ana"), "X-Request-ID": "ticket-real"}).status_code == 200
    [event] = container.audit.search(action="recon_exception_dismissed")
    with container.engine.connect() as conn:
        stored = json.loads(conn.execute(text("SELECT data_json FROM audit_entries WHERE sequence = :s"),
                                         {"s": event.sequence}).scalar())
    assert stored["request_id"] == "ticket-real"
    stored["request_id"] = "ticket-someone-else"  # an insider points the event at another request's log lines
    tamper(container, ("UPDATE audit_entries SET data_json = :d WHERE sequence = :s",
                       {"d": json.dumps(stored, sort_keys=True), "s": event.sequence}))
    report = container.audit.verify(workers=1)
    assert (report.ok, report.fault.sequence, report.fault.code) == (False, event.sequence, "hash_mismatch")
