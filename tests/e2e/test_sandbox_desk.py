"""Issue 11, defect 12: the sandbox bank's returns, NOCs and statements, asked for over HTTP and the CLI.

A new user walks the story with their own data: a run paid through the sandbox rail, the bank's statement of the
settlement day imported, one payment returned R03 two days later, its return credit seen on the next statement,
and a NOC for the other payment dropped into the inbox. None of it is possible while a real rail is in use.
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from payments.disbursements.payment_runs import PayableInvoice
from tests.conftest import make_settings
from tests.e2e.conftest import HeaderAuthenticator, as_role
from tests.payment_fakes import FakeAccounts, FakePayables

SANDBOX_POLICY = '[payments]\nrail = "sandbox"\n'


def _container(db_url, tmp_path, clock, policy: str):  # noqa: ANN001, ANN202
    import main
    from payments.example.example_agency import example_accounts

    (tmp_path / "policy.toml").write_text(policy)
    c = main.build(make_settings(db_url, tmp_path, policy_file=str(tmp_path / "policy.toml")), clock=clock,
                   migrate=True)
    main.initialize(c, example=False)
    c.ledger.add_accounts(example_accounts())
    invoices = FakePayables([PayableInvoice(f"inv_{n}", f"ven_{n}", f"INV-{n}", "USD", 100_000 + n,
                                            dt.date(2026, 11, 4), approver_ids=frozenset({"usr_ann"}))
                             for n in range(2)])
    main.wire_payments(c, invoices=invoices, accounts=FakeAccounts())
    return c


@pytest.fixture
def sandbox(db_url, tmp_path, clock):  # noqa: ANN001, ANN201
    import main

    c = _container(db_url, tmp_path, clock, SANDBOX_POLICY)
    app = main.create_app(c)
    app.state.authenticator = HeaderAuthenticator()
    with TestClient(app) as client:
        yield c, client
    c.engine.dispose()


def _paid_run(api) -> list[dict]:  # noqa: ANN001
    treasurer = as_role("treasurer", "usr_tina")
    run = api.post("/v1/payment-runs", json={}, headers={**as_role("ap_clerk"), "Idempotency-Key": "k1"}).json()
    assert api.post(f"/v1/payment-runs/{run['id']}:release", headers=treasurer).status_code == 200
    assert api.post(f"/v1/payment-runs/{run['id']}:submit", headers=treasurer).json()["result"] == "accepted"
    return api.get("/v1/payments", params={"run_id": run["id"]}, headers=treasurer).json()["items"]


def test_defect_12_returns_and_statements_of_the_sandbox_bank_over_http(sandbox, clock):
    container, api = sandbox
    treasurer = as_role("treasurer", "usr_tina")
    paid = _paid_run(api)
    assert {p["effective_date"] for p in paid} == {"2026-11-03"}
    returned, kept = sorted(paid, key=lambda p: p["id"])

    too_early = api.post(f"/v1/sandbox/payments/{returned['id']}:return", json={"code": "R03"}, headers=treasurer)
    assert (too_early.status_code, too_early.json()["code"]) == (422, "before_settlement")
    assert api.post(f"/v1/sandbox/payments/{returned['id']}:return", json={"code": "R03"},
                    headers=as_role("ap_clerk")).status_code == 403

    clock.advance(days=1)  # Tuesday 3 November: the batch settles
    first = api.post("/v1/sandbox/statements", json={"date": "2026-11-03", "import": True}, headers=treasurer)
    assert first.status_code == 200, first.text
    assert first.json()["imported"]["payments_settled"] == 2 and first.json()["content"].startswith("01,")

    clock.advance(days=1)  # Wednesday: the vendor's bank returns one payment
    back = api.post(f"/v1/sandbox/payments/{returned['id']}:return", json={"code": "R03", "import": True},
                    headers=treasurer)
    assert back.status_code == 200, back.text
    assert back.json()["imported"]["returns_posted"] == 1 and back.json()["format"] == "nacha"
    assert api.get(f"/v1/payments/{returned['id']}", headers=treasurer).json()["status"] == "returned"
    again = api.post(f"/v1/sandbox/payments/{returned['id']}:return", json={"code": "R03"}, headers=treasurer)
    assert (again.status_code, again.json()["code"]) == (409, "already_sent")

    second = api.post("/v1/sandbox/statements", json={"date": "2026-11-04", "import": True, "format": "camt053"},
                      headers=treasurer)
    assert second.status_code == 200, second.text
    assert second.json()["imported"]["return_credits"] == 1

    noc = api.post(f"/v1/sandbox/payments/{kept['id']}:noc",
                   json={"code": "C01", "corrected": {"account_number": "000123456780"}}, headers=treasurer)
    assert noc.status_code == 200, noc.text
    dropped = noc.json()["dropped_at"]
    assert dropped.startswith(str(container.settings.path("inbox_dir"))) and noc.json()["imported"] is None
    bad = api.post(f"/v1/sandbox/payments/{kept['id']}:noc",
                   json={"code": "C02", "corrected": {"account_number": "1"}}, headers=treasurer)
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_corrected_data")


def test_defect_12_the_sandbox_is_refused_while_a_real_rail_is_in_use(db_url, tmp_path, clock):
    import main

    c = _container(db_url, tmp_path, clock, '[payments]\nrail = "nacha"\n')
    app = main.create_app(c)
    app.state.authenticator = HeaderAuthenticator()
    with TestClient(app) as api:
        refused = api.post("/v1/sandbox/statements", json={"date": "2026-11-02"}, headers=as_role("treasurer"))
    assert (refused.status_code, refused.json()["code"]) == (409, "sandbox_not_in_use")
    c.engine.dispose()


def test_defect_12_the_cli_drops_the_banks_file_into_the_inbox_and_refuses_a_real_rail(
        sandbox, tmp_path, monkeypatch, capsys):
    import main

    container, api = sandbox
    [one, _] = _paid_run(api)
    settings = container.settings
    for name, value in (("DATABASE_URL", settings.database_url), ("KEY_DIR", settings.key_dir),
                        ("OUTBOX_DIR", settings.outbox_dir), ("INBOX_DIR", settings.inbox_dir),
                        ("POLICY_FILE", settings.policy_file), ("SCHEDULER", "false")):
        monkeypatch.setenv(f"DISBURSE_{name}", value)
    # The CLI runs on the system clock, well after these payments settled.
    assert main.cli(["sandbox", "noc", one["id"], "--code", "C01", "--corrected", "000123456780"]) == 0
    out = capsys.readouterr().out
    assert "dropped at" in out and "disburse statements import" in out
    [dropped] = list(settings.path("inbox_dir").glob("sandbox-returns-*.ach"))
    assert b"C01" in dropped.read_bytes()
    assert main.cli(["sandbox", "statement", "--date", "2026-11-03", "--json"]) == 0
    assert '"format": "bai2"' in capsys.readouterr().out

    (tmp_path / "policy.toml").write_text('[payments]\nrail = "nacha"\n')
    assert main.cli(["sandbox", "return", one["id"], "--code", "R03"]) == 2
    assert "sandbox_not_in_use" in capsys.readouterr().err


def test_found_by_the_invariants_a_return_is_never_booked_on_a_bank_holiday(sandbox, clock):
    """A history returned a payment on Veterans Day: the return posted, but no business-day statement ever showed
    its credit, so the cash proof listed it as not yet credited forever. The bank books on business days only."""
    _, api = sandbox
    treasurer = as_role("treasurer", "usr_tina")
    [paid, _] = _paid_run(api)
    clock.advance(days=9)  # Wednesday 11 November 2026: Veterans Day, the Federal Reserve is closed
    closed = api.post(f"/v1/sandbox/payments/{paid['id']}:return", json={"code": "R01"}, headers=treasurer)
    assert (closed.status_code, closed.json()["code"]) == (422, "bank_closed"), closed.text
    clock.advance(days=1)
    opened = api.post(f"/v1/sandbox/payments/{paid['id']}:return", json={"code": "R01", "import": True},
                      headers=treasurer)
    assert opened.status_code == 200 and opened.json()["imported"]["returns_posted"] == 1, opened.text
