"""Issue 12, item 2: the host CLI still mints tokens and sets passwords for anyone (first set-up, ``--example``),
because whoever runs it already holds the database and the keys; and every such use is an audit event naming
the operating-system user who ran it."""

from __future__ import annotations

import getpass
import io

import pytest

import main


@pytest.fixture
def env(tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("DISBURSE_DATABASE_URL", f"sqlite:///{tmp_path / 'd.db'}")
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setattr(getpass, "getuser", lambda: "ops-pat")
    return tmp_path


def events(action: str) -> list[dict]:
    container = main.build()
    with container.uow(read_only=True) as uow:
        found = [e.draft.data for e in uow.audit_index.search(action=action, limit=1000)]
    container.engine.dispose()
    return found


def test_cli_tokens_and_passwords_are_audited_with_the_operators_os_user(env, capsys, monkeypatch):
    assert main.cli(["init"]) == 0
    assert main.cli(["users", "add", "tess", "--role", "treasurer", "--email", "tess@riverton.example"]) == 0
    assert main.cli(["users", "token", "tess", "--label", "laptop"]) == 0
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main.cli(["users", "password", "tess", "--password-stdin"]) == 0

    [created] = events("user_created")
    [issued] = events("token_issued")
    [password] = events("user_password_set")
    for event in (created, issued, password):
        assert (event["actor"], event["detail"]["os_user"], event["detail"]["via"]) == ("host:ops-pat", "ops-pat",
                                                                                       "host_cli")
    assert issued["detail"]["name"] == "laptop"
    assert secret.startswith("dsb_") and secret not in str(issued)
