"""Sign-in as an attacker tries it (issue 12, item 17): forged X-Forwarded-For for a fresh rate-limit budget, timing
that tells which accounts have a password, a cross-site sign-out, and a form sign-in posted from another site."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from adapters.cli.app_commands import server_config
from adapters.keys.passwords import PasswordHasher
from payments.identity import Role
from tests.e2e.people import FAST_HASHER, People, build_stack, client, client_for, people, stack  # noqa: F401

PASSWORD = "correct horse battery staple"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(container, trusted_proxies: str):  # noqa: ANN001, ANN202
    """``disburse serve``'s own uvicorn configuration, on a real socket, in a thread."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(server_config(client_for(container).app, "127.0.0.1", port, trusted_proxies))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.mark.parametrize(("trusted", "fresh_budget"), [("", False), ("127.0.0.1", True)])
def test_x_forwarded_for_is_believed_only_from_a_configured_proxy(tmp_path, clock, trusted, fresh_budget):
    stack = build_stack(f"sqlite:///{tmp_path / 'xff.db'}", tmp_path, clock)
    server, thread, base = _serve(stack, trusted)
    try:
        with httpx.Client(base_url=base) as http:
            statuses = [http.post("/v1/auth/sign-in", json={"username": f"guess{i}", "password": "x" * 12},
                                  headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(12)]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        stack.engine.dispose()
    # Ten a minute per client: from loopback, forged addresses are one client unless loopback is a named proxy.
    assert statuses == ([401] * 12 if fresh_budget else [401] * 10 + [429, 429])


class CountingHasher(PasswordHasher):
    """The real argon2id hasher, counting every full verification (real or against the dummy hash)."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost_kib=8, parallelism=1)
        self.verifications = 0

    def verify(self, stored_hash: str, password: str) -> bool:
        self.verifications += 1
        return super().verify(stored_hash, password)


def test_sign_in_costs_one_password_verification_whoever_is_asked_about(tmp_path, clock):
    import main
    from tests.conftest import make_settings

    hasher = CountingHasher()
    container = main.build(make_settings(f"sqlite:///{tmp_path / 't.db'}", tmp_path), clock=clock, migrate=True,
                           password_hasher=hasher)
    main.initialize(container, example=False)
    people = People(container)
    people.add("tess", Role.TREASURER, password=PASSWORD)
    people.add("newbie", Role.AP_CLERK)  # invited, no password yet
    costs = {}
    with client_for(container) as http:
        for who in ("tess", "newbie", "nobody"):
            before = hasher.verifications
            r = http.post("/v1/auth/sign-in", json={"username": who, "password": "wrong password!"})
            assert (r.status_code, r.json()["code"]) == (401, "sign_in_failed")
            costs[who] = hasher.verifications - before
    container.engine.dispose()
    assert costs == {"tess": 1, "newbie": 1, "nobody": 1}


def test_sign_out_needs_the_sessions_csrf_token(client, people):
    people.add("tess", Role.TREASURER, password=PASSWORD)
    csrf = client.post("/v1/auth/sign-in", json={"username": "tess", "password": PASSWORD}).json()["csrf_token"]
    forged = client.post("/v1/auth/sign-out")  # what a cross-site form can send: the cookie, no token
    assert (forged.status_code, forged.json()["code"]) == (403, "csrf_failed")
    assert client.get("/v1/ledger/accounts").status_code == 200  # still signed in
    cross_site = client.post("/v1/auth/sign-out", headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"})
    assert (cross_site.status_code, cross_site.json()["code"]) == (403, "foreign_origin")
    assert client.post("/v1/auth/sign-out", data={"csrf_token": csrf}).status_code == 204
    assert client.get("/v1/ledger/accounts").status_code == 401


def test_a_form_sign_in_from_another_sites_page_sets_no_cookie(client, people):
    people.add("tess", Role.TREASURER, password=PASSWORD)
    form = {"username": "tess", "password": PASSWORD}
    for foreign in ({"Origin": "https://evil.example"}, {"Origin": "null"},
                    {"Referer": "https://evil.example/login.html"}):
        r = client.post("/v1/auth/sign-in", data=form, headers=foreign)
        assert (r.status_code, r.json()["code"]) == (403, "foreign_origin")
        assert "set-cookie" not in r.headers
    same = client.post("/v1/auth/sign-in", data=form, headers={"Origin": "https://testserver"})
    assert same.status_code == 200 and "disburse_session=" in same.headers["set-cookie"]
