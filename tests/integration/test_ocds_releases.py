"""OCDS 1.1: the contracts behind the open checkbook's payments as releases. Riverton's four orders (chairs from
Acme, a fence repair by Jane Q. Public, paper from Summit, desks from Acme cut from 3 to 2 by a change order) and
the three payments of the checkbook story (Acme's returned) give 4 award/contract releases, 1 amendment and 3
implementation releases. `disburse publish ocds` writes the release package; the OCDS community's checker
(libcoveocds, AGPL: run as a separate program, never imported) finds zero validation errors, and ocdskit compiles
the releases into records that carry the amended value.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from payments.ap.po_service import ChangeOrder, NewPurchaseOrder
from tests.corpus import corpus_dir
from tests.integration.test_open_checkbook import _env, _pay_everything

BIN = Path(sys.executable).parent


def _desks_cut_by_a_change_order(container) -> str:  # noqa: ANN001
    from tests.integration.ap_story import APPROVER, CLERK, ap, po_line

    s = ap(container)
    acme = next(r.vendor.id for r in s.vendors.list(after=None, limit=10) if r.vendor.legal_name == "Acme Furniture")
    po, _ = s.purchase_orders.create(CLERK, NewPurchaseOrder("PO-2027-0004", acme, "USD",
                                                             (po_line(1, 3, 50_000, item="desk"),), None, "Desks"))
    s.purchase_orders.approve(APPROVER, po.po.id)
    s.purchase_orders.change(CLERK, po.po.id, ChangeOrder(1, (po_line(1, 2, 50_000, item="desk"),),
                                                          "one desk cancelled"))
    return po.po.id


def _published(container, tmp_path, monkeypatch, capsys) -> tuple[dict, dict, str]:  # noqa: ANN001
    import main

    paid = _pay_everything(container)
    desks = _desks_cut_by_a_change_order(container)
    _env(monkeypatch, container)
    assert main.cli(["publish", "ocds", "--out", str(tmp_path / "pub"), "--json"]) == 0
    said = json.loads(capsys.readouterr().out)
    assert said["releases"] == 4 + 1 + 3 and said["changed"] is True
    package = json.loads((tmp_path / "pub" / "ocds" / "release-package.json").read_text(encoding="utf-8"))
    return package, paid, desks


def test_the_release_package_tells_award_amendment_and_payments(container, tmp_path, monkeypatch, capsys):
    package, paid, desks = _published(container, tmp_path, monkeypatch, capsys)
    assert package["version"] == "1.1" and package["publisher"] == {"name": "City of Riverton"}
    assert package["uri"] == "https://data.example.gov/disburse/ocds/release-package.json"
    by_id = {r["id"]: r for r in package["releases"]}

    award = by_id[f"{desks}-award"]
    assert award["ocid"] == f"ocds-dsb001-{desks}" and award["tag"] == ["award", "contract"]
    assert award["awards"][0]["value"] == {"amount": 1500, "currency": "USD"}
    assert award["contracts"][0]["awardID"] == f"{desks}-award" and award["contracts"][0]["title"] == "PO-2027-0004"
    amended = by_id[f"{desks}-v2"]
    assert amended["tag"] == ["contractAmendment"]
    assert amended["contracts"][0]["value"] == {"amount": 1000, "currency": "USD"}
    assert amended["contracts"][0]["amendments"] == [{
        "id": "v2", "date": amended["date"], "rationale": "one desk cancelled",
        "description": "purchase order PO-2027-0004 version 2", "amendsReleaseID": f"{desks}-award",
        "releaseID": f"{desks}-v2"}]

    (acme_paid,) = [r for r in package["releases"] if r["id"].startswith(paid["acme"])]
    transactions = acme_paid["contracts"][0]["implementation"]["transactions"]
    assert [(t["id"], t["value"]["amount"]) for t in transactions] == [(paid["acme"], 1200),
                                                                       (f"{paid['acme']}-returned", -1200)]
    assert transactions[0]["payer"] == {"id": "riverton", "name": "City of Riverton"}
    assert transactions[0]["payee"]["name"] == "Acme Furniture"
    (jane_paid,) = [r for r in package["releases"] if r["id"].startswith(paid["jane"])]
    assert jane_paid["contracts"][0]["implementation"]["transactions"][0]["value"]["amount"] == 150
    text = json.dumps(package)
    assert "Jane" not in text and "987" not in text and "Elm Street" not in text  # a person is a redacted payee
    (summit_paid,) = [r for r in package["releases"] if r["id"].startswith(paid["summit"])]
    assert '"amount": 166.65' in json.dumps(summit_paid)  # exact decimal, never through a float
    # Payment milestones: due on the prompt-pay due date (7 November), met on the payment date (the 6th) or, for
    # Acme's payment that came back, not met, as of the day its return was recorded.
    (met,) = summit_paid["contracts"][0]["implementation"]["milestones"]
    assert (met["type"], met["status"], met["dueDate"], met["dateMet"], met["description"]) == (
        "financing", "met", "2026-11-07T00:00:00Z", "2026-11-06T00:00:00Z", "Paid on time.")
    (returned,) = acme_paid["contracts"][0]["implementation"]["milestones"]
    assert (returned["status"], returned["dateModified"]) == ("notMet", transactions[1]["date"])  # the return's day


def test_libcoveocds_finds_no_validation_errors_and_ocdskit_compiles_the_amended_record(
        container, tmp_path, monkeypatch, capsys):
    standard = corpus_dir("ocds") / "standard-1__1__5.zip"
    package, _paid, desks = _published(container, tmp_path, monkeypatch, capsys)
    path = tmp_path / "pub" / "ocds" / "release-package.json"
    checked = subprocess.run([str(BIN / "libcoveocds"), "--standard-zip", str(standard), "-s", "1.1",
                              "-o", str(tmp_path / "cove"), str(path)], capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stderr[-2000:]
    result = json.loads(checked.stdout)
    assert result["validation_errors"] == [], result["validation_errors"]

    schema = tmp_path / "release-schema.json"  # the 1.1.5 release schema, so ocdskit works offline
    with zipfile.ZipFile(standard) as z:
        schema.write_bytes(z.read("standard-1__1__5/schema/release-schema.json"))
    compiled = subprocess.run([str(BIN / "ocdskit"), "compile", "--package", "--schema", str(schema)],
                              input=path.read_text(encoding="utf-8"),
                              capture_output=True, text=True, timeout=300)
    assert compiled.returncode == 0, compiled.stderr[-2000:]
    records = {r["ocid"]: r for r in json.loads(compiled.stdout)["records"]}
    assert len(records) == 4
    desks_record = records[f"ocds-dsb001-{desks}"]["compiledRelease"]
    assert desks_record["contracts"][0]["value"] == {"amount": 1000, "currency": "USD"}
    assert desks_record["awards"][0]["value"] == {"amount": 1500, "currency": "USD"}

    # Disburse publishes the records too (record-package.json): each compiled release is the one ocdskit compiles,
    # and the record package passes the same checker with no validation error.
    ours = json.loads((tmp_path / "pub" / "ocds" / "record-package.json").read_text(encoding="utf-8"))
    assert ours["packages"] == ["https://data.example.gov/disburse/ocds/release-package.json"]
    assert {r["ocid"]: r["compiledRelease"] for r in ours["records"]} == {
        ocid: r["compiledRelease"] for ocid, r in records.items()}
    desks_links = next(r for r in ours["records"] if r["ocid"] == f"ocds-dsb001-{desks}")["releases"]
    assert [link["url"].rsplit("#", 1)[1] for link in desks_links] == [f"{desks}-award", f"{desks}-v2"]
    # libcoveocds fetches the versioned-release schema from the web for a record package, which this offline run
    # cannot: each compiled release is checked against the 1.1.5 release schema from the zip instead.
    import jsonschema

    validator = jsonschema.Draft4Validator(json.loads(schema.read_text(encoding="utf-8")))
    for record in ours["records"]:
        assert [e.message for e in validator.iter_errors(record["compiledRelease"])] == [], record["ocid"]


def test_publishing_ocds_again_changes_nothing(container, tmp_path, monkeypatch, capsys):
    import main

    _published(container, tmp_path, monkeypatch, capsys)
    target = tmp_path / "pub" / "ocds" / "release-package.json"
    before = (target.stat().st_mtime_ns, target.read_bytes())
    assert main.cli(["publish", "ocds", "--out", str(tmp_path / "pub")]) == 0
    assert "unchanged" in capsys.readouterr().out
    assert (target.stat().st_mtime_ns, target.read_bytes()) == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["record-package.json",
                                                               "release-package.json"]  # no temporary left
