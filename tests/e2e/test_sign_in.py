"""Signing in on the web and using tokens: cookies that scripts cannot read, CSRF on every state change, lock-out,
rate limiting, and tokens that stop working when revoked, expired, or when their user is disabled."""

from __future__ import annotations

from payments.identity import Role
from payments.people.users_service import CLI_OPERATOR
from tests.e2e.people import client, people, stack  # noqa: F401
from tests.e2e.web import tampered

PASSWORD = "correct horse battery staple"


def sign_in(client, username="tess", password=PASSWORD, **kw):  # noqa: ANN001, ANN201
    return client.post("/v1/auth/sign-in", json={"username": username, "password": password}, **kw)


def test_a_signed_in_user_gets_an_httponly_samesite_secure_session_and_needs_csrf_to_change_anything(
        stack, client, people):
    people.add("tess", Role.TREASURER, password=PASSWORD)
    r = sign_in(client)
    assert r.status_code == 200, r.text
    cookies = [v for k, v in r.headers.multi_items() if k == "set-cookie"]
    session = next(c for c in cookies if c.startswith("disburse_session="))
    csrf_cookie = next(c for c in cookies if c.startswith("disburse_csrf="))
    for attribute in ("HttpOnly", "Secure", "SameSite=lax", "Path=/"):
        assert attribute.lower() in session.lower()
    assert "httponly" not in csrf_cookie.lower()  # pages read it to echo it back
    assert r.headers["cache-control"] == "no-store"
    csrf = r.json()["csrf_token"]

    assert client.get("/v1/ledger/accounts").status_code == 200  # a read needs no CSRF token
    refused = client.post("/v1/ledger/checkpoints")
    assert (refused.status_code, refused.json()["code"]) == (403, "csrf_failed")
    assert client.post("/v1/ledger/checkpoints", headers={"X-CSRF-Token": tampered(csrf)}).status_code == 403
    assert client.post("/v1/ledger/checkpoints", headers={"X-CSRF-Token": csrf}).status_code == 201


def test_a_plain_html_form_signs_in_and_posts_its_csrf_token_as_a_field(stack, client, people):
    people.add("vera", Role.VENDOR_ADMIN, password=PASSWORD)
    r = client.post("/v1/auth/sign-in", data={"username": "vera", "password": PASSWORD})
    assert r.status_code == 200, r.text
    csrf = r.json()["csrf_token"]
    # An urlencoded form to a JSON route still fails validation, but only after the CSRF check passed.
    without = client.post("/v1/vendors/ven_1/bank-account-changes", data={"routing_number": "021000021"})
    assert without.json()["code"] == "csrf_failed"
    with_token = client.post("/v1/vendors/ven_1/bank-account-changes", data={"csrf_token": csrf})
    assert with_token.status_code == 422 and with_token.json()["code"] == "invalid_request"


def test_sign_out_ends_the_session_server_side(stack, client, people):
    people.add("tess", Role.TREASURER, password=PASSWORD)
    csrf = sign_in(client).json()["csrf_token"]
    stolen = client.cookies.get("disburse_session")
    assert client.post("/v1/auth/sign-out", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.cookies.get("disburse_session") is None
    client.cookies.set("disburse_session", stolen)  # a copy kept by whoever stole it
    assert client.get("/v1/ledger/accounts").status_code == 401


def _without_request_id(answer) -> frozenset:  # noqa: ANN001
    """The answer's status and body, less the id each request is given (it differs by design)."""
    body = dict(answer.json())
    body.pop("request_id", None)
    return frozenset({("status", answer.status_code), *body.items()})


def test_wrong_passwords_unknown_users_and_locked_accounts_all_get_one_answer(stack, client, people, clock):
    people.add("tess", Role.TREASURER, password=PASSWORD)
    answers = {_without_request_id(sign_in(client, password="nope" * 4)),
               _without_request_id(sign_in(client, username="nobody")),
               _without_request_id(sign_in(client, username="Not A Name!"))}
    assert len(answers) == 1 and ("code", "sign_in_failed") in answers.pop()
    for _ in range(4):  # with the first above, five wrong passwords in a row: locked
        sign_in(client, password="wrong password!")
    clock.advance(minutes=2)  # a new rate-limit window; the lock-out is per user and still holds
    locked = sign_in(client)  # even the right password is refused while locked
    assert (locked.status_code, locked.json()["code"]) == (401, "sign_in_failed")
    user = stack.users.find(CLI_OPERATOR, "tess")
    assert user.is_locked(clock.now())
    clock.advance(minutes=16)
    assert sign_in(client).status_code == 200
    assert stack.users.find(CLI_OPERATOR, "tess").failed_sign_ins == 0


def test_too_many_attempts_from_one_client_are_rate_limited(stack, client, people, clock):
    people.add("tess", Role.TREASURER, password=PASSWORD)
    statuses = [sign_in(client, username=f"guess{i}").status_code for i in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]
    limited = sign_in(client)
    assert limited.json()["code"] == "sign_in_rate_limited" and int(limited.headers["retry-after"]) > 0
    clock.advance(seconds=61)
    assert sign_in(client).status_code == 200


def test_tokens_stop_working_when_revoked_expired_or_their_user_is_disabled(stack, client, people, clock):
    # Tokens for another person come only from an operator at the server's shell (``disburse users token``).
    admin = people.headers("root", Role.ADMIN)
    user_id = people.add("tess", Role.TREASURER)
    minted = stack.users.issue_token(CLI_OPERATOR, user_id, name="laptop", ttl_days=1)
    token = {"Authorization": f"Bearer {minted.secret}"}
    assert client.get("/v1/ledger/accounts", headers=token).status_code == 200
    listed = client.get(f"/v1/users/{user_id}/tokens", headers=admin).json()["items"]
    assert "token" not in listed[0] and listed[0]["hint"].startswith("dsb_")  # shown once, never again

    clock.advance(days=1)
    assert client.get("/v1/ledger/accounts", headers=token).status_code == 401  # expired
    second = stack.users.issue_token(CLI_OPERATOR, user_id)
    token = {"Authorization": f"Bearer {second.secret}"}
    revoked = client.post(f"/v1/users/{user_id}/tokens/{second.record.token_id}/revoke", headers=admin)
    assert revoked.status_code == 200
    assert client.get("/v1/ledger/accounts", headers=token).status_code == 401  # revoked

    token = {"Authorization": f"Bearer {stack.users.issue_token(CLI_OPERATOR, user_id).secret}"}
    assert client.post(f"/v1/users/{user_id}/disable", headers=admin).status_code == 200
    assert client.get("/v1/ledger/accounts", headers=token).status_code == 401  # user disabled


def test_an_admin_cannot_raise_or_disable_themselves(client, people):
    admin = people.headers("root", Role.ADMIN)
    me = people.ids["root"]
    r = client.put(f"/v1/users/{me}/roles", headers=admin, json={"roles": ["admin", "treasurer"]})
    assert (r.status_code, r.json()["code"]) == (403, "self_administration_forbidden")
    r = client.post(f"/v1/users/{me}/disable", headers=admin)
    assert (r.status_code, r.json()["code"]) == (403, "self_administration_forbidden")


def test_users_are_added_with_roles_and_a_vendor_user_is_bound_by_the_path(client, people):
    admin = people.headers("root", Role.ADMIN)
    r = client.post("/v1/users", headers=admin, json={"username": "Casey", "roles": ["ap_clerk"],
                                                       "email": "casey@riverton.example"})
    assert r.status_code == 201 and r.json()["username"] == "casey" and not r.json()["has_password"]
    assert (r.json()["status"], r.json()["email"]) == ("pending", "casey@riverton.example")
    assert "password_hash" not in r.text
    assert client.post("/v1/users", headers=admin, json={"username": "casey", "roles": ["ap_clerk"]}
                       ).json()["code"] == "username_taken"
    # A vendor user is made on its vendor's path, never by naming the role here (no vendor to bind it to).
    assert client.post("/v1/users", headers=admin, json={"username": "vee", "roles": ["vendor"]}
                       ).json()["code"] == "roles_invalid"
    # An administrator sets nobody's password: the field does not exist (a one-time link is sent instead).
    assert client.post("/v1/users", headers=admin, json={"username": "short", "roles": ["ap_clerk"],
                                                         "password": "long enough password"}).status_code == 422
    assert client.post("/v1/users", headers=admin, json={"username": "evil", "roles": ["ap_clerk"],
                                                         "email": "<script>@x.y"}).json()["code"] == "email_invalid"
    r = client.post("/v1/vendors/ven_ACME/users", headers=admin, json={"username": "acme-ap"})
    assert (r.json()["roles"], r.json()["vendor_id"], r.json()["status"]) == (["vendor"], "ven_ACME", "pending")


def test_ended_sessions_and_old_rate_limit_windows_are_purged(stack, client, people, clock):
    people.add("tess", Role.TREASURER, password=PASSWORD)
    csrf = sign_in(client).json()["csrf_token"]
    client.post("/v1/auth/sign-out", headers={"X-CSRF-Token": csrf})
    assert stack.auth.purge_expired() == 0  # ended just now: kept a day for whoever investigates
    clock.advance(days=2)
    assert stack.auth.purge_expired() == 2  # the session and the client's rate-limit window
