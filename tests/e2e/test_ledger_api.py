"""The ledger over HTTP: posting, replay, conflicts, cursors, balances, verification, problem details."""

from tests.e2e.conftest import as_role

TREASURER = as_role("treasurer")
AUDITOR = as_role("auditor")


def opening(amount="1250.00", id=None):
    body = {"effective_date": "2026-07-01", "code": "opening_balance", "memo": "cash count",
            "postings": [{"account": "100-1010", "direction": "debit", "amount": amount, "currency": "USD"},
                         {"account": "100-3010", "direction": "credit", "amount": amount, "currency": "USD"}]}
    if id:
        body["id"] = id
    return body


def test_a_treasurer_posts_an_entry_and_anyone_on_staff_can_read_it(api):
    r = api.post("/v1/ledger/entries", json=opening(), headers=TREASURER)
    assert r.status_code == 201, r.text
    entry = r.json()
    assert entry["postings"][0]["amount_minor"] == 125000 and entry["postings"][0]["amount"] == "1250.00"
    got = api.get(f"/v1/ledger/entries/{entry['id']}", headers=AUDITOR)
    assert got.status_code == 200 and got.json()["hash"] == entry["hash"]


def test_no_token_is_401_and_a_read_only_role_cannot_post(api):
    assert api.post("/v1/ledger/entries", json=opening()).status_code == 401
    r = api.post("/v1/ledger/entries", json=opening(), headers=AUDITOR)
    assert r.status_code == 403 and r.json()["code"] == "action_not_allowed"


def test_an_unbalanced_entry_is_a_422_problem_and_nothing_is_written(api):
    body = opening()
    body["postings"][1]["amount"] = "1249.99"
    r = api.post("/v1/ledger/entries", json=body, headers=TREASURER)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "entry_unbalanced" and "1249" not in r.json()["type"]
    assert api.get("/v1/ledger/entries", headers=AUDITOR).json()["items"][-1]["code"] == "ledger_genesis"


def test_amounts_must_be_decimal_strings_never_json_numbers_and_unknown_fields_are_refused(api):
    body = opening()
    body["postings"][0]["amount"] = 1250.0
    assert api.post("/v1/ledger/entries", json=body, headers=TREASURER).status_code == 422
    body = opening()
    body["sequence"] = 7
    r = api.post("/v1/ledger/entries", json=body, headers=TREASURER)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "sequence"


def test_idempotency_key_replays_the_first_response_and_refuses_a_different_body(api):
    headers = {**TREASURER, "Idempotency-Key": "cash-count-2026-07-01"}
    first = api.post("/v1/ledger/entries", json=opening(), headers=headers)
    again = api.post("/v1/ledger/entries", json=opening(), headers=headers)
    assert first.status_code == 201 and again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again.headers.get("Idempotent-Replayed") == "true"
    other = api.post("/v1/ledger/entries", json=opening("5.00"), headers=headers)
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"


def test_the_same_entry_id_with_a_different_body_is_a_409(api):
    from ledger.entries import new_entry_id
    eid = new_entry_id()
    assert api.post("/v1/ledger/entries", json=opening(id=eid), headers=TREASURER).status_code == 201
    assert api.post("/v1/ledger/entries", json=opening(id=eid), headers=TREASURER).status_code == 200
    r = api.post("/v1/ledger/entries", json=opening("1.00", id=eid), headers=TREASURER)
    assert r.status_code == 409 and r.json()["code"] == "entry_exists_with_different_body"


def test_a_batch_posts_all_or_nothing(api):
    bad = opening("3.00")
    bad["postings"][0]["account"] = "999-0000"
    r = api.post("/v1/ledger/entries:batch", json={"entries": [opening("1.00"), bad]}, headers=TREASURER)
    assert r.status_code == 422 and r.json()["code"] == "unknown_account"
    r = api.post("/v1/ledger/entries:batch", json={"entries": [opening("1.00"), opening("2.00")]}, headers=TREASURER)
    assert r.status_code == 201 and len(r.json()["items"]) == 2


def test_entries_page_with_an_opaque_cursor(api):
    api.post("/v1/ledger/entries:batch", json={"entries": [opening(f"{i}.00") for i in range(1, 6)]},
             headers=TREASURER)
    seen, cursor = [], None
    while True:
        r = api.get("/v1/ledger/entries", params={"limit": 2, **({"cursor": cursor} if cursor else {})},
                    headers=AUDITOR).json()
        seen += [e["sequence"] for e in r["items"]]
        cursor = r["next_cursor"]
        if not cursor:
            break
    assert seen == list(range(1, 7))
    assert api.get("/v1/ledger/entries", params={"cursor": "%%%"}, headers=AUDITOR).json()["code"] == "invalid_cursor"


def test_balances_by_fund_and_the_trial_balance_is_zero(api):
    api.post("/v1/ledger/entries", json=opening("1000.00"), headers=TREASURER)
    r = api.get("/v1/ledger/balances", params={"fund": "100"}, headers=AUDITOR).json()
    cash = next(i for i in r["items"] if i["account"] == "100-1010")
    assert cash["balance_minor"] == 100000
    assert r["trial_balance"]["USD"]["difference_minor"] == 0
    before = api.get("/v1/ledger/balances", params={"as_of": "2026-06-30"}, headers=AUDITOR).json()
    assert before["items"] == []


def test_verify_and_checkpoint_over_http(api):
    api.post("/v1/ledger/entries", json=opening(), headers=TREASURER)
    assert api.post("/v1/ledger/verify", headers=AUDITOR).json()["ok"] is True
    cp = api.post("/v1/ledger/checkpoints", headers=TREASURER)
    assert cp.status_code == 201 and cp.json()["sequence"] == 2
    assert len(api.get("/v1/ledger/checkpoints", headers=AUDITOR).json()["items"]) == 1
