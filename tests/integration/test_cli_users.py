"""The operator's story: `disburse init --example` (what `serve --example` runs first) gives the City of Riverton
one user per role; `disburse users token clerk` prints a token that works against the API; users are added,
disabled and given passwords from the CLI; `disburse audit verify` checks the trail like `ledger verify`."""

from __future__ import annotations

import io
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

import main


@pytest.fixture
def env(tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("DISBURSE_DATABASE_URL", f"sqlite:///{tmp_path / 'd.db'}")
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(tmp_path / "keys"))
    return tmp_path


def token_of(capsys, *argv: str) -> str:  # noqa: ANN001
    assert main.cli(["users", "token", *argv]) == 0
    out = capsys.readouterr()
    assert "shown once" in out.err
    return out.out.strip()


def test_the_example_agency_has_a_user_per_role_and_the_cli_hands_out_tokens(env, capsys):
    assert main.cli(["init", "--example"]) == 0
    assert main.cli(["init", "--example"]) == 0  # idempotent: nobody is added twice
    capsys.readouterr()
    assert main.cli(["users", "list", "--json"]) == 0
    users = {u["username"]: u["roles"] for u in json.loads(capsys.readouterr().out)}
    assert users == {"clerk": ["ap_clerk"], "approver": ["ap_approver"], "approver2": ["ap_approver"],
                     "treasurer": ["treasurer"], "vendoradmin": ["vendor_admin"], "auditor": ["auditor"],
                     "admin": ["admin"], "acme-furniture-co": ["vendor"], "riverton-it-services-llc": ["vendor"],
                     "blue-river-paving-inc": ["vendor"], "summit-office-supply": ["vendor"]}
    token = token_of(capsys, "auditor")
    assert token.startswith("dsb_") and len(token) == 47
    with TestClient(main.create_app(main.build())) as client:
        r = client.get("/v1/audit", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
        assert {"user_created"} <= {e["action"] for e in r.json()["items"]}
        assert client.get("/v1/users", headers={"Authorization": f"Bearer {token}"}).status_code == 403
    # Each example vendor has a portal user that sees its own invoices, and only those.
    acme = {"Authorization": f"Bearer {token_of(capsys, 'acme-furniture-co')}"}
    with TestClient(main.create_app(main.build())) as client:
        mine = client.get("/v1/portal/invoices", headers=acme).json()["items"]
        assert sorted(i["invoice_number"] for i in mine) == ["A-2001", "A-2002", "A-2003", "A-2004", "a 2002"]
        everyone = client.get("/v1/invoices", headers={"Authorization": f"Bearer {token}"}).json()["items"]
        assert len(everyone) > len(mine)


def test_users_added_disabled_and_signed_in_from_the_cli(env, capsys, monkeypatch):
    main.cli(["init"])
    assert main.cli(["users", "add", "casey", "--role", "ap_clerk", "--role", "ap_approver",
                     "--name", "Casey Jones"]) == 0
    assert main.cli(["users", "add", "acme-ap", "--vendor", "ven_01ACME"]) == 0
    assert "for vendor ven_01ACME" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main.cli(["users", "password", "casey", "--password-stdin"]) == 0
    token = token_of(capsys, "casey", "--ttl-days", "7", "--label", "laptop")
    app = main.create_app(main.build())
    with TestClient(app, base_url="https://testserver") as client:
        assert client.post("/v1/auth/sign-in", json={"username": "casey", "password": "a long enough password"}
                           ).status_code == 200
        assert main.cli(["users", "disable", "casey"]) == 0
        assert client.get("/v1/ledger/accounts", headers={"Authorization": f"Bearer {token}"}).status_code == 401
        assert client.get("/v1/ledger/accounts").status_code == 401  # the session ended with the disable
    assert main.cli(["users", "disable", "nobody"]) == 2
    assert "user_not_found" in capsys.readouterr().err


def test_audit_verify_exits_1_naming_the_event_when_the_trail_was_edited(env, capsys):
    main.cli(["init", "--example"])
    assert main.cli(["audit", "checkpoint", "--out", str(env / "cp.json")]) == 0
    assert main.cli(["audit", "export-keys", "--out", str(env / "keys.json")]) == 0
    capsys.readouterr()
    assert main.cli(["audit", "verify", "--json", "--checkpoint", str(env / "cp.json"),
                     "--keys", str(env / "keys.json")]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    c = main.build()
    with c.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_entries_no_update"))
        conn.execute(text("UPDATE audit_entries SET code = 'user_deleted' WHERE sequence = 3"))
    assert main.cli(["audit", "verify"]) == 1
    assert "audit trail does NOT verify: hash_mismatch" in capsys.readouterr().out


def test_a_bootstrap_admin_token_from_the_environment_is_accepted_once_stored_hashed(env, monkeypatch):
    secret = "dsb_" + "b" * 43
    monkeypatch.setenv("DISBURSE_BOOTSTRAP_ADMIN_TOKEN", secret)
    main.cli(["init"])
    c = main.build()  # a second start does not add it again
    with c.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM api_tokens")).scalar() == 1
        assert secret not in str(conn.execute(text("SELECT * FROM api_tokens")).all())
    with TestClient(main.create_app(c)) as client:
        assert client.get("/v1/users", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
