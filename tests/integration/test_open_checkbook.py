"""The open checkbook: Riverton pays Acme for chairs, Summit for paper and Jane Q. Public (a person) for a repair;
Acme's bank returns its payment. `disburse publish checkbook` (and the scheduled job) publish what the public may
see: Summit by name, Jane as "Redacted payee", Acme marked returned; no TIN, address or account number anywhere.
The Data Package validates with `frictionless`; publishing again changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import json

from payments.ap.documents import VendorStatus
from payments.ap.po_service import NewPurchaseOrder
from payments.ap.vendor_service import VendorDetails
from payments.identity import Principal, Role
from tests.payment_fakes import FakeAccounts, MemoryRail

TREASURER = Principal("usr_tina", frozenset({Role.TREASURER}))
ADDRESS = {"kind": "remit", "line1": "77 Elm Street", "city": "Riverton"}


def _vendor(s, name: str, tin: str, *, individual: bool = False) -> str:  # noqa: ANN001
    from tests.integration.ap_story import VENDOR_ADMIN

    record, _ = s.vendors.create(VENDOR_ADMIN, VendorDetails(legal_name=name, tin=tin, addresses=(ADDRESS,),
                                                             terms="net 30", is_individual=individual))
    s.vendors.set_status(VENDOR_ADMIN, record.vendor.id, VendorStatus.ACTIVE)
    return record.vendor.id


def _bought(s, vendor_id: str, po_number: str, description: str, qty: int, price_minor: int,  # noqa: ANN001
            invoice_number: str) -> str:
    from tests.integration.ap_story import APPROVER, CLERK, inv_line, invoice, po_line, receive

    po, _ = s.purchase_orders.create(CLERK, NewPurchaseOrder(po_number, vendor_id, "USD",
                                                             (po_line(1, qty, price_minor),), None, description))
    s.purchase_orders.approve(APPROVER, po.po.id)
    receive(s, po.po.id, (1, qty, qty))
    inv = invoice(s, vendor_id, inv_line(1, po.po.id, qty, price_minor), number=invoice_number).invoice.id
    s.approvals.approve(APPROVER, inv)
    return inv


def _pay_everything(container) -> dict[str, str]:  # noqa: ANN001
    import main
    from tests.integration.ap_story import ap, budget

    s = ap(container)
    budget(s)
    acme = _vendor(s, "Acme Furniture", "12-3456789")
    jane = _vendor(s, "Jane Q. Public", "987-65-4321", individual=True)
    summit = _vendor(s, "Summit Office Supply", "55-5555555")
    _bought(s, acme, "PO-2027-0001", "Council chamber chairs", 10, 12_000, "A-77")
    _bought(s, jane, "PO-2027-0002", "Fence repair, 9 Oak Lane", 2, 7_500, "JQP-1")
    _bought(s, summit, "PO-2027-0003", "=HYPERLINK(\"x\") copy paper", 5, 3_333, "S-9")
    svc = main.wire_payments(container, accounts=FakeAccounts(), rails=lambda _name: MemoryRail(name="nacha"))
    run = svc.create_run(run_date=dt.date(2026, 11, 5)).run
    svc.release(TREASURER, run.id)
    assert [o.result for o in svc.submit_released()] == ["accepted"]
    by_vendor = {p.vendor_id: p.id for p in svc.payments_of_run(run.id)}
    assert svc.mark_returned(by_vendor[acme], reason_code="R03", on=dt.date(2026, 11, 9)) != "unchanged"
    return {"acme": by_vendor[acme], "jane": by_vendor[jane], "summit": by_vendor[summit]}


def _env(monkeypatch, container) -> None:  # noqa: ANN001
    settings = container.settings
    for name in ("database_url", "key_dir", "outbox_dir", "inbox_dir"):
        monkeypatch.setenv(f"DISBURSE_{name.upper()}", str(getattr(settings, name)))
    monkeypatch.setenv("DISBURSE_SCHEDULER", "false")


def test_the_checkbook_names_businesses_redacts_people_and_shows_the_return(container, tmp_path, monkeypatch,
                                                                            capsys):
    import frictionless

    import main

    paid = _pay_everything(container)
    _env(monkeypatch, container)
    out = tmp_path / "public"
    assert main.cli(["publish", "checkbook", "--out", str(out), "--json"]) == 0
    said = json.loads(capsys.readouterr().out)
    assert said["rows"] == 3 and said["changed"] is True
    folder = out / "checkbook"

    with (folder / "checkbook.csv").open(newline="", encoding="utf-8") as f:
        rows = {r["payee"]: r for r in csv.DictReader(f)}
    assert set(rows) == {"Acme Furniture", "Redacted payee", "Summit Office Supply"}
    acme, jane, summit = rows["Acme Furniture"], rows["Redacted payee"], rows["Summit Office Supply"]
    assert (acme["payment_id"], acme["amount"], acme["amount_minor"], acme["status"]) == (
        paid["acme"], "1200.00", "120000", "returned")
    assert (acme["fund"], acme["department"], acme["object_code"], acme["po_number"], acme["description"],
            acme["method"], acme["invoice_number"]) == (
        "100", "PW", "5710", "PO-2027-0001", "Council chamber chairs", "ACH", "A-77")
    assert (jane["payment_id"], jane["amount"], jane["payee_redacted"], jane["status"], jane["invoice_number"]) == (
        paid["jane"], "150.00", "true", "paid", "")
    assert (summit["amount"], summit["status"], summit["payee_redacted"]) == ("166.65", "paid", "false")
    assert summit["description"] == "'=HYPERLINK(\"x\") copy paper"  # a formula is text in the CSV

    as_json = {r["payee"]: r for r in json.loads((folder / "checkbook.json").read_text(encoding="utf-8"))}
    assert as_json["Summit Office Supply"]["description"] == "=HYPERLINK(\"x\") copy paper"  # raw in JSON
    assert as_json["Acme Furniture"]["amount"] == 1200 and as_json["Redacted payee"]["amount_minor"] == 15_000

    everything = b"".join(p.read_bytes() for p in folder.iterdir())
    for secret in (b"Jane", b"123456789", b"3456789", b"987654321", b"4321", b"Elm Street", b"Riverton\"",
                   b"5555555", b"6789", b"Oak Lane\","):
        assert secret not in everything.replace(b"Fence repair, 9 Oak Lane", b""), secret

    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = frictionless.Package(str(folder / "datapackage.json"))
    read = {r["payee"]: r for r in package.get_resource("checkbook").read_rows()}
    assert read["Acme Furniture"]["payment_date"] == dt.date(2026, 11, 6)  # the run of the 5th settles the next day
    assert str(read["Summit Office Supply"]["amount"]) == "166.65" and read["Redacted payee"]["payee_redacted"] is True
    assert len(package.get_resource("checkbook-json").read_rows()) == 3


def test_publishing_again_changes_nothing_and_the_job_runs_the_same_body(container, tmp_path, monkeypatch):
    import main

    _pay_everything(container)
    _env(monkeypatch, container)
    monkeypatch.setenv("DISBURSE_PUBLISH_DIR", str(tmp_path / "pub"))
    assert main.cli(["publish", "checkbook"]) == 0
    folder = tmp_path / "pub" / "checkbook"
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}
    assert sorted(before) == ["checkbook.csv", "checkbook.json", "datapackage.json"]

    job = {j.name: j for j in main.jobs(main.build())}["publish_checkbook"]
    assert job.body() == 3
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}
    assert after == before  # same bytes, files untouched, no temporary left behind


def test_an_unwritable_folder_is_refused_in_one_line(container, tmp_path, monkeypatch, capsys):
    import main

    _env(monkeypatch, container)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main.cli(["publish", "checkbook", "--out", str(blocker)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
