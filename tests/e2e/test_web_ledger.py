"""The ledger and audit pages over HTTP, after a run was sent (``treasury_world``): the journal's head, keys and
last checkpoint; a verification run that says the journal verifies — and names the first fault, with a link to the
entry, once a stored entry is altered behind the system's back; balances by fund, department and object with
totals that agree with the API's, and their downloads; an entry with its postings, its link to the previous entry
and its signature checked again; a document's audit trail, for auditors only."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import text

from tests.e2e.treasury_world import _treasury_template, treasury_web, treasury_world  # noqa: F401
from tests.e2e.web import csrf_of, web_sign_in


def _signed_in(world, username: str):  # noqa: ANN001, ANN202
    client = world.client()
    assert web_sign_in(client, username, world.passwords[username]).status_code == 303
    return client


def test_the_journal_its_checkpoint_and_a_verification_run(treasury_web):
    admin = _signed_in(treasury_web, "admin")
    assert admin.post("/v1/ledger/checkpoints", headers={"X-CSRF-Token": csrf_of(admin)}).status_code == 201
    auditor = _signed_in(treasury_web, "auditor")
    checkpoint = auditor.get("/v1/ledger/checkpoints").json()["items"][-1]
    page = auditor.get("/ledger").text
    assert checkpoint["head_hash"] in page and f"{checkpoint['sequence']:,}" in page
    assert all(k["key_id"] in page for k in [{"key_id": checkpoint["key_id"]}])
    verified = auditor.get("/ledger/verification").text
    assert "The journal verifies: every one of its" in verified and "Checkpoints checked" in verified

    entry = auditor.get("/v1/ledger/entries?code=invoice_approved&limit=1").json()["items"][0]
    with treasury_web.c.engine.begin() as conn:  # someone with the database's keys edits a memo directly
        conn.execute(text("DROP TRIGGER ledger_entries_no_update"))
        conn.execute(text("UPDATE ledger_entries SET memo = 'edited' WHERE id = :id"), {"id": entry["id"]})
    broken = auditor.get("/ledger/verification").text
    assert "The journal does NOT verify." in broken and f'href="/ledger/entries/{entry["id"]}"' in broken
    shown = auditor.get(f"/ledger/entries/{entry['id']}").text
    assert "Does not match" in shown and "differs from" in shown


def test_an_entry_shows_its_postings_chain_link_and_signature(treasury_web):
    clerk = _signed_in(treasury_web, "clerk")
    entry = clerk.get("/v1/ledger/entries?code=invoice_approved&limit=1").json()["items"][0]
    page = clerk.get(f"/ledger/entries/{entry['id']}").text
    assert f"Journal entry {entry['sequence']}" in page and entry["hash"] in page and entry["prev_hash"] in page
    assert entry["signature"] in page and page.count(">Checked<") == 3
    for p in entry["postings"]:
        assert f'>{p["account"]}</a>' in page and f"${int(p['amount_minor']) / 100:,.2f}" in page
    assert f"It links to entry {entry['sequence'] - 1}" in page
    assert clerk.get("/ledger/entries/ent_nothing").status_code == 404
    listed = clerk.get(f"/ledger/entries?code={entry['code']}").text
    assert f'href="/ledger/entries/{entry["id"]}"' in listed


def test_balances_by_fund_department_and_object_agree_with_the_api(treasury_web):
    clerk = _signed_in(treasury_web, "clerk")
    api = clerk.get("/v1/ledger/balances?fund=100").json()["items"]
    page = clerk.get("/ledger/balances?fund=100&group=department&type=expenditure").text
    expenditures = [r for r in api if r["type"] == "expenditure"]
    by_department: dict[str, int] = {}
    for r in expenditures:
        by_department[r["department"] or "—"] = by_department.get(r["department"] or "—", 0) + int(r["balance_minor"])
    totals = re.search(r"<caption>Balances summed by Department and account type</caption>(.*?)</table>", page,
                       re.S).group(1)
    for department, minor in by_department.items():
        assert re.search(rf'<th scope="row">{re.escape(department)}</th><td class="num">'
                         rf'{re.escape(f"${minor / 100:,.2f}".replace("$-", "-$"))}</td>', totals), department
    rows = list(csv.reader(io.StringIO(clerk.get("/ledger/balances.csv?fund=100&type=expenditure").text)))
    assert rows[0][0] == "account" and sorted(r[0] for r in rows[1:]) == sorted(r["account"] for r in expenditures)
    assert clerk.get("/ledger/balances.xlsx?fund=100").status_code == 200
    assert clerk.get("/ledger/balances?type=nonsense").status_code == 422


def test_a_documents_audit_trail_is_for_auditors(treasury_web):
    auditor = _signed_in(treasury_web, "auditor")
    change = auditor.get("/v1/bank-account-changes?status=active").json()["items"][0]
    events = auditor.get(f"/v1/audit?object_id={change['id']}").json()["items"]
    page = auditor.get(f"/audit/{change['id']}").text
    assert len(events) >= 4 and all(e["action"] in page for e in events)
    assert page.count('<li><span class="timeline__when">') == len(events)
    clerk = _signed_in(treasury_web, "clerk")
    assert clerk.get(f"/audit/{change['id']}").status_code == 403
