"""A bank's refusal (pain.002 RJCT AC04, account closed) does the same thing whichever way it arrives: the ISO 20022
rail's status poll or a treasurer importing the report with ``disburse statements import``. SQLite and PostgreSQL.

Redwood and Acme each sold the City ten chairs for $1,200.00; both invoices were approved and paid in one ISO
20022 run. The bank refuses both payments: Redwood's news comes through the rail first, Acme's through
reconciliation first, and then each report arrives the other way too.
"""

from __future__ import annotations

import datetime as dt

import pytest

from adapters.rails.iso20022.rail import Iso20022Rail
from adapters.statements.bank_files import read_bank_file
from payments.disbursements.payment_states import PaymentStatus
from payments.reconciliation.recon_service import ReconciliationService
from tests.payment_fakes import FakeAccounts
from tests.unit.rails.test_iso20022_rail import CFG

PAY_DAY = dt.date(2026, 11, 5)


def rejection(message_id: str, original: str, end_to_end_id: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>
<GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>2026-11-05T09:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>{original}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
<GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>
<OrgnlPmtInfAndSts><OrgnlPmtInfId>X</OrgnlPmtInfId>
<TxInfAndSts><OrgnlEndToEndId>{end_to_end_id}</OrgnlEndToEndId><TxSts>RJCT</TxSts>
<StsRsnInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>RDFI reports account closed</AddtlInf></StsRsnInf></TxInfAndSts>
</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>""".encode()


@pytest.fixture
def sent(container, tmp_path):  # noqa: ANN001, ANN201
    import main
    from tests.integration.ap_story import APPROVER, TREASURER, ap, approved_po, budget, inv_line, invoice, receive, \
        vendor

    s = ap(container)
    budget(s)
    invoices = {}
    for name, tin in (("Redwood Supply", "12-0000001"), ("Acme Furniture", "12-0000002")):
        vendor_id = vendor(s, name, tin)
        po = approved_po(s, vendor_id, number=f"PO-{name[:4].upper()}")
        receive(s, po, (1, 10, 10))
        invoice_id = invoice(s, vendor_id, inv_line(1, po, 10), number=f"{name[:4].upper()}-1").invoice.id
        s.approvals.approve(APPROVER, invoice_id)
        invoices[name.split()[0].lower()] = (vendor_id, invoice_id)
    rail = Iso20022Rail(CFG, tmp_path / "iso")
    svc = main.wire_payments(container, accounts=FakeAccounts(), rails=lambda _name: rail)
    run = svc.create_run(run_date=PAY_DAY).run
    svc.release(TREASURER, run.id)
    assert [o.result for o in svc.submit_released()] == ["accepted"]
    by_vendor = {p.vendor_id: p for p in svc.payments_of_run(run.id)}
    payments = {name: (by_vendor[vendor_id], invoice_id) for name, (vendor_id, invoice_id) in invoices.items()}
    recon = ReconciliationService(container.uow, container.vault, container.clock, read=read_bank_file)
    return s, svc, recon, svc.get_run(run.id).submission_id, payments


def state(container, s, payment, invoice_id) -> dict:  # noqa: ANN001
    """Everything the refusal touched, with this payment's own ids taken out so two payments can be compared."""
    pid = payment.id
    with container.uow(read_only=True) as uow:
        p = uow.payments.get_payment(pid)
        reversals = [e for e in uow.ledger_queries.list_entries(code="reversal")
                     if e.draft.references.get("payment_id") == pid]
        events = [{k: v for k, v in r["payload"].items() if k not in ("payment_id", "run_id", "account_id")}
                  for r in uow.payments.outbox("payment.failed") if r["payload"]["payment_id"] == pid]
        exceptions = [e.kind.value for e in uow.recon.list_exceptions()]
        holds = [(h.hold, h.status) for h in uow.invoices.holds(invoice_id)]
    view = s.invoices.view(invoice_id)
    messages = [h.finding.get("message") if isinstance(getattr(h, "finding", None), dict) else None
                for h in view.holds]
    return {"status": p.status, "reason": p.status_reason, "invoice": view.record.invoice.status.value,
            "holds": sorted(holds), "hold_messages": messages, "events": events, "exceptions": exceptions,
            "reversals": sorted((e.draft.effective_date, tuple(sorted((x.account, x.direction.value, x.amount_minor)
                                                                      for x in e.draft.postings))) for e in reversals)}


def test_a_rejection_fails_the_payment_the_same_way_through_the_rail_and_through_reconciliation(container, sent,
                                                                                                 tmp_path):
    s, svc, recon, submission, payments = sent
    (red, red_invoice), (acme, acme_invoice) = payments["redwood"], payments["acme"]
    status_dir = tmp_path / "iso" / "status"
    status_dir.mkdir()
    red_report, acme_report = (rejection("STS-RED", submission, red.id), rejection("STS-ACME", submission, acme.id))

    # Redwood: the rail hears first, then the treasurer imports the same report.
    (status_dir / "red.xml").write_bytes(red_report)
    assert svc.poll_status() == {"failed": 1}
    assert recon.import_file(red_report).payments_failed == 0  # already failed: nothing twice
    # Acme: the treasurer imports first, then the rail hears.
    imported = recon.import_file(acme_report)
    assert (imported.format, imported.payments_failed, imported.exceptions_opened) == ("pain.002", 1, 0)
    (status_dir / "acme.xml").write_bytes(acme_report)
    assert svc.poll_status() == {"unchanged": 2}
    # The same report again, and another report of the same refusal: nothing moves.
    assert recon.import_file(acme_report).duplicate_file
    assert recon.import_file(rejection("STS-ACME-2", submission, acme.id)).payments_failed == 0

    red_state, acme_state = state(container, s, red, red_invoice), state(container, s, acme, acme_invoice)
    assert red_state == acme_state
    assert red_state["status"] is PaymentStatus.FAILED and red_state["reason"] == "AC04"
    assert red_state["invoice"] == "approved" and red_state["holds"] == [("payment_failed", "open")]
    assert red_state["exceptions"] == []
    assert red_state["events"] == [{"kind": "live", "reason": "closed account", "reason_code": "AC04"}]
    # One reversal each: Disbursements in transit back, Vouchers payable owed again.
    assert red_state["reversals"] == [(dt.date(2026, 11, 2), (("100-1050", "debit", 120_000),
                                                              ("100-2010", "credit", 120_000)))]
    assert container.ledger.verify().ok


def group_rejection(original: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>
<GrpHdr><MsgId>STS-FILE</MsgId><CreDtTm>2026-11-05T09:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>{original}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
<GrpSts>RJCT</GrpSts><StsRsnInf><Rsn><Cd>FF01</Cd></Rsn></StsRsnInf></OrgnlGrpInfAndSts>
</CstmrPmtStsRpt></Document>""".encode()


def test_a_whole_file_refused_fails_every_payment_in_it_through_reconciliation_as_through_the_rail(container, sent,
                                                                                                   tmp_path):
    s, svc, recon, submission, payments = sent
    imported = recon.import_file(group_rejection(submission))
    assert imported.payments_failed == 2  # neither payment is listed: both inherit the file's refusal
    (tmp_path / "iso" / "status").mkdir()
    (tmp_path / "iso" / "status" / "file.xml").write_bytes(group_rejection(submission))
    assert svc.poll_status() == {"unchanged": 2}
    states = [state(container, s, p, invoice_id) for p, invoice_id in payments.values()]
    assert states[0] == states[1] and states[0]["reason"] == "FF01" and len(states[0]["reversals"]) == 1
    assert states[0]["hold_messages"] == ["The bank refused our payment (FF01: invalid file format). We will pay "
                                          "again once the bank details are checked."]
    assert container.ledger.verify().ok
