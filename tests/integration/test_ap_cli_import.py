"""`disburse import …` and `disburse init --example` as an operator uses them: files in whole or not at all."""

import json

import pytest

import main
from tests.integration.ap_story import APPROVER, budget

PO_CSV = """po_number,vendor,line_no,item,quantity,unit_of_measure,unit_price,fund,department,object_code,kind
PO-IMP-1,V-1001,1,stacking chair,10,each,120.00,100,PW,5710,goods
PO-IMP-1,V-1001,2,standing desk,2,each,450.00,100,PW,5710,goods
PO-IMP-2,V-1001,1,chair repair,4,hour,85.50,100,PW,5710,services
"""

BAD_PO_CSV = """po_number,vendor,line_no,item,quantity,unit_of_measure,unit_price,fund,department,object_code
PO-BAD-1,V-1001,1,stacking chair,ten,each,120.00,100,PW,5710
PO-BAD-1,V-1001,2,standing desk,2,each,-450.00,100,PW,5710
PO-BAD-2,V-9999,1,lamp,3,each,40.00,100,PW,5710
PO-BAD-3,V-1001,1,lamp,3,each,40.00,999,XX,0000
PO-BAD-4,V-1001,1,,3,each,40.00,100,PW,5710
"""


@pytest.fixture
def env(tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("DISBURSE_DATABASE_URL", f"sqlite:///{tmp_path / 'd.db'}")
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(tmp_path / "keys"))
    assert main.cli(["init"]) == 0
    c = main.build()
    from payments.example.example_agency import example_accounts
    c.ledger.add_accounts(example_accounts())
    ap = main.ap_services(c)
    budget(ap)
    from payments.ap.vendor_service import VendorDetails
    from payments.ap.documents import VendorStatus
    from tests.integration.ap_story import VENDOR_ADMIN
    record, _ = ap.vendors.create(VENDOR_ADMIN, VendorDetails("Acme Furniture", "V-1001", "12-3456789"))
    ap.vendors.set_status(VENDOR_ADMIN, record.vendor.id, VendorStatus.ACTIVE)
    return tmp_path, c, ap


def _write(path, text):  # noqa: ANN001, ANN202
    path.write_text(text)
    return str(path)


def test_a_bad_file_is_rejected_whole_with_every_error_by_row_and_column(env, capsys):
    tmp, c, ap = env
    assert main.cli(["import", "purchase-orders", _write(tmp / "bad.csv", BAD_PO_CSV)]) == 1
    err = capsys.readouterr().err
    assert "rejected, nothing imported" in err
    assert "row 2, column quantity: 'ten' is not a decimal number" in err
    assert "row 3, column unit_price: may not be negative" in err
    assert "row 4, column vendor: no vendor has the id or number 'V-9999'" in err
    assert "row 5, column fund" in err and "unknown_coding" in err
    assert "row 6, column item: required value is blank" in err
    assert ap.purchase_orders.list(after=None, limit=10) == []


def test_a_bad_header_names_the_missing_and_unknown_columns(env, capsys):
    tmp, c, ap = env
    text = "po_number,vendor,line_no,itme,quantity,unit_of_measure,unit_price,fund,department,object_code\n"
    assert main.cli(["import", "purchase-orders", _write(tmp / "h.csv", text), "--json"]) == 1
    errors = json.loads(capsys.readouterr().out)["errors"]
    assert {(e["row"], e["column"], e["code"]) for e in errors} == {
        (1, "item", "missing_column"), (1, "itme", "unknown_column")}


def test_purchase_orders_receipts_and_invoices_import_and_match_and_a_second_import_is_refused(env, capsys):
    tmp, c, ap = env
    assert main.cli(["import", "purchase-orders", _write(tmp / "po.csv", PO_CSV)]) == 0
    assert "imported 2 purchase orders (3 rows)" in capsys.readouterr().out
    pos = {p.number: p for p in ap.purchase_orders.list(after=None, limit=10)}
    assert pos["PO-IMP-1"].po.status.value == "draft" and pos["PO-IMP-2"].po.lines[0].match_level == 2
    assert pos["PO-IMP-1"].po.total_minor == 210_000
    for p in pos.values():
        ap.purchase_orders.approve(APPROVER, p.po.id)

    receipts = ("receipt_number,po_number,received_on,line_no,quantity_received\n"
                "D-1,PO-IMP-1,2026-10-01,1,8\nD-1,PO-IMP-1,2026-10-01,2,2\n")
    assert main.cli(["import", "receipts", _write(tmp / "r.csv", receipts)]) == 0
    assert "imported 1 receipts (2 rows)" in capsys.readouterr().out
    invoices = ("vendor,invoice_number,invoice_date,received_on,terms,total,remit_to,defect_contact,line_no,"
                "po_number,po_line_no,quantity,unit_price\n"
                "V-1001,A-1,2026-10-03,2026-10-04,net 30,1860.00,HQ,Pat,1,PO-IMP-1,1,8,120.00\n"
                "V-1001,A-1,2026-10-03,2026-10-04,net 30,1860.00,HQ,Pat,2,PO-IMP-1,2,2,450.00\n"
                "V-1001,A-2,2026-10-20,2026-10-21,net 30,240.00,HQ,Pat,1,PO-IMP-1,1,2,120.00\n")
    assert main.cli(["import", "invoices", _write(tmp / "i.csv", invoices), "--json"]) == 0
    ids = json.loads(capsys.readouterr().out)["ids"]
    statuses = {ap.invoices.view(i).record.invoice.invoice_number: ap.invoices.view(i).record.invoice.status.value
                for i in ids}
    assert statuses == {"A-1": "matched", "A-2": "held"}  # two more chairs billed than received

    assert main.cli(["import", "invoices", _write(tmp / "i.csv", invoices)]) == 1
    assert "row 2, column invoice_number" in capsys.readouterr().err
    assert main.cli(["import", "receipts", _write(tmp / "r.csv", receipts)]) == 1
    assert len(ap.invoices.list(after=None, limit=10)) == 2


def test_init_example_loads_every_hold_kind_a_duplicate_and_a_credit_memo_and_the_ledger_verifies(tmp_path,
                                                                                                 monkeypatch):
    monkeypatch.setenv("DISBURSE_DATABASE_URL", f"sqlite:///{tmp_path / 'd.db'}")
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(tmp_path / "keys"))
    assert main.cli(["init", "--example"]) == 0
    c = main.build()
    ap = main.ap_services(c)
    holds, statuses = set(), set()
    for rec in ap.invoices.list(after=None, limit=100):
        view = ap.invoices.view(rec.invoice.id)
        statuses.add(rec.invoice.status.value)
        holds |= {h.hold for h in view.holds if h.status == "open"}
    assert holds == {"qty_ordered", "qty_received", "qty_accepted", "price", "amount_ordered", "max_total",
                     "po_not_approved", "po_closed", "currency_mismatch", "duplicate_suspected", "vendor_mismatch",
                     "invoice_not_proper"}
    assert "approved" in statuses
    assert [m.memo.status.value for m in ap.credit_memos.list(after=None, limit=10)] == ["applied"]
    assert len(ap.budgets.list(after=None, limit=100)) == 15
    assert c.ledger.verify().ok
