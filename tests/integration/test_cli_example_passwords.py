"""`disburse init --example` (what `serve --example` runs first) gives every example person a web password and
prints it once: the second run prints none, and only the hash is stored. A printed password signs in on the
sign-in page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import text

import main
from tests.e2e.web import web_sign_in
from tests.integration.test_cli_users import env  # noqa: F401

_LINE = re.compile(r"^  (\S+)\s+(\S{16})  (.+)$", re.MULTILINE)


def test_the_example_peoples_passwords_are_printed_once_and_sign_in_on_the_web(env, capsys):
    assert main.cli(["init", "--example"]) == 0
    first = capsys.readouterr().out
    assert "web sign-in at http://127.0.0.1:8000/" in first and "shown only now" in first
    printed = {username: (password, name) for username, password, name in _LINE.findall(first)}
    assert set(printed) >= {"clerk", "approver", "approver2", "treasurer", "vendoradmin", "auditor", "admin",
                            "acme-furniture-co", "summit-office-supply"}
    assert printed["clerk"][1] == "Casey Clerk (AP clerk)"
    assert len({password for password, _name in printed.values()}) == len(printed)  # one each, all different

    assert main.cli(["init", "--example"]) == 0
    again = capsys.readouterr().out
    assert "web sign-in" not in again and printed["clerk"][0] not in again  # shown once, never again

    container = main.build()
    with container.engine.connect() as conn:
        stored = " ".join(str(h) for h in conn.execute(text("SELECT password_hash FROM users")).scalars())
    assert "$argon2id$" in stored and all(password not in stored for password, _name in printed.values())
    with TestClient(main.create_app(container), base_url="https://testserver", follow_redirects=False) as client:
        signed_in = web_sign_in(client, "treasurer", printed["treasurer"][0])
        assert signed_in.status_code == 303, signed_in.text
        assert "Signed in as Taylor Treasurer (treasurer)" in client.get("/").text
    container.engine.dispose()
