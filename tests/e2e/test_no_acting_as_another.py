"""Issue 12, item 2: an administrator cannot act as anyone (SQLite and PostgreSQL).

The attack, as it was run: ``admin`` minted a token for the treasurer (``POST /v1/users/{treasurer}/tokens``), set
the treasurer's password, and released a payment run with that token, every later action attributed to the
treasurer. Now over HTTP nobody mints a token or sets a password for another person; a reset sends that person a
one-time link through the outbox (sealed, expiring, single use, never in a response, log or audit event) and ends
their sessions; and what one administrator adds (a user, a role) waits for a second, so that ``admin`` holds no
money-moving action by delegation either.
"""

from __future__ import annotations

import base64
import logging

import pytest

from adapters.keys.field_cipher import AesGcmFieldCipher
from payments.identity import PERMISSIONS, Action, ActionKind, Role, moves_money
from payments.people.password_resets import SEALED_COLUMN
from tests.e2e.people import client, people, stack  # noqa: F401

PASSWORD = "correct horse battery staple"


@pytest.fixture
def cast(stack, people):  # noqa: ANN001, ANN201
    people.add("tess", Role.TREASURER, password=PASSWORD, email="tess@riverton.example")
    return {"root": people.headers("root", Role.ADMIN), "sam": people.headers("sam", Role.ADMIN),
            "tess": people.headers("tess", Role.TREASURER), "aud": people.headers("aud", Role.AUDITOR)}


def refused(response, status: int, code: str) -> None:  # noqa: ANN001
    assert (response.status_code, response.json().get("code")) == (status, code), response.text


def audit_actions(stack, object_id: str) -> list[str]:  # noqa: ANN001
    with stack.uow(read_only=True) as uow:
        return [e.draft.code for e in uow.audit_index.search(object_id=object_id)]


def reset_links(stack, username: str) -> list[str]:  # noqa: ANN001
    """What the outbox relay would put in the email: each link's secret, opened with the field cipher, oldest first."""
    cipher = AesGcmFieldCipher.open(stack.settings.path("key_dir"))
    with stack.uow(read_only=True) as uow:
        messages = [m for m in uow.outbox.list() if m.kind.value == "password_reset"]
    return [cipher.decrypt(base64.b64decode(m.facts["secret_sealed"]), row_id=m.message_id, column=SEALED_COLUMN)
            for m in messages if m.facts["username"] == username]


def sign_in(client, username="tess", password=PASSWORD):  # noqa: ANN001, ANN201
    return client.post("/v1/auth/sign-in", json={"username": username, "password": password})


def test_an_admin_can_neither_mint_a_token_for_the_treasurer_nor_set_her_password_nor_release_a_run(
        stack, client, people, cast):
    tess = people.ids["tess"]
    refused(client.post(f"/v1/users/{tess}/tokens", headers=cast["root"], json={"name": "borrowed"}), 403,
            "token_for_another_user")
    r = client.put(f"/v1/users/{tess}/password", headers=cast["root"], json={"password": "mine now, all mine"})
    assert r.status_code in (404, 405), r.text  # there is no such route any more
    refused(client.post("/v1/payment-runs/run_01ANY:release", headers=cast["root"]), 403, "action_not_allowed")
    with stack.uow(read_only=True) as uow:
        assert [t.name for t in uow.tokens.for_user(tess)] == [""]  # only the one the test set-up made
        assert uow.users.get(tess).password_hash == stack.users.get(people.principal("root"), tess).password_hash
    assert sign_in(client).status_code == 200  # her password is still hers
    # An administrator may mint a token for themselves, which acts as the administrator, not as anyone else.
    own = client.post(f"/v1/users/{people.ids['root']}/tokens", headers=cast["root"], json={"name": "mine"})
    assert own.status_code == 201 and own.headers["cache-control"] == "no-store"


def test_admin_holds_no_money_moving_action_in_the_table():
    money = {a for a in Action if moves_money(a)}
    assert {Action.PAYMENT_RUN_RELEASE, Action.INVOICE_APPROVE, Action.BANK_ACCOUNT_APPROVE, Action.LEDGER_POST,
            Action.PORTAL_REQUEST_BANK_CHANGE} <= money
    assert PERMISSIONS[Role.ADMIN] & money == set()
    assert {a for a in PERMISSIONS[Role.ADMIN] if a.kind is ActionKind.WRITE} == {Action.USERS_MANAGE,
                                                                                  Action.LEDGER_CHECKPOINT}


def test_what_one_admin_adds_waits_for_another_so_no_admin_gets_a_treasurer_of_their_own(stack, client, people,
                                                                                         cast):
    # Root makes a treasurer whose invitation would come to root's own mailbox...
    r = client.post("/v1/users", headers=cast["root"],
                    json={"username": "mallory", "roles": ["treasurer"], "email": "root@riverton.example"})
    assert (r.status_code, r.json()["status"]) == (201, "pending")
    mallory = r.json()["id"]
    refused(client.post(f"/v1/users/{mallory}/approve", headers=cast["root"]), 403, "self_approval_forbidden")
    refused(client.post(f"/v1/users/{mallory}/tokens", headers=cast["root"], json={}), 403, "token_for_another_user")
    refused(client.post(f"/v1/users/{mallory}/password-reset", headers=cast["root"]), 409, "user_wrong_state")
    refused(client.post(f"/v1/users/{mallory}/enable", headers=cast["root"]), 409, "user_wrong_state")
    assert reset_links(stack, "mallory") == []  # nothing was sent anywhere
    # ... nor raise an auditor (or make another admin) to get the same.
    aud = people.ids["aud"]
    r = client.put(f"/v1/users/{aud}/roles", headers=cast["root"], json={"roles": ["auditor", "treasurer"]})
    assert (r.status_code, r.json()["roles"], r.json()["pending_roles"]) == (200, ["auditor"],
                                                                             ["auditor", "treasurer"])
    refused(client.post(f"/v1/users/{aud}/approve", headers=cast["root"]), 403, "self_approval_forbidden")
    assert client.get("/v1/payment-runs", headers=cast["aud"]).status_code == 200
    refused(client.post("/v1/payment-runs/run_01ANY:release", headers=cast["aud"]), 403, "action_not_allowed")
    r = client.post("/v1/users", headers=cast["root"], json={"username": "root2", "roles": ["admin"]})
    assert r.json()["status"] == "pending"

    # A second administrator looks, and approves; the invitation goes to the address that administrator saw.
    r = client.post(f"/v1/users/{mallory}/approve", headers=cast["sam"])
    assert (r.status_code, r.json()["status"]) == (200, "active")
    [link] = reset_links(stack, "mallory")
    assert client.post("/v1/auth/password-reset", json={"token": link, "password": PASSWORD}).status_code == 204
    assert sign_in(client, "mallory").status_code == 200
    assert audit_actions(stack, mallory) == ["user_created", "user_approved", "password_invitation_sent",
                                             "password_reset_completed", "signed_in"]
    # Taking roles away needs nobody else.
    r = client.put(f"/v1/users/{aud}/roles", headers=cast["root"], json={"roles": ["auditor"]})
    assert (r.json()["roles"], r.json()["pending_roles"]) == (["auditor"], None)


def test_a_reset_sends_a_one_time_expiring_link_and_ends_her_sessions(stack, client, people, cast, clock, caplog):
    caplog.set_level(logging.DEBUG)
    tess = people.ids["tess"]
    assert sign_in(client).status_code == 200
    assert client.get("/v1/ledger/accounts").status_code == 200  # her session
    r = client.post(f"/v1/users/{tess}/password-reset", headers=cast["root"])
    assert (r.status_code, r.json()) == (202, {"user_id": tess, "sent_to": "t***@riverton.example"})
    assert client.get("/v1/ledger/accounts").status_code == 401  # the reset ended her session
    [link] = reset_links(stack, "tess")
    with stack.uow(read_only=True) as uow:
        [message] = [m for m in uow.outbox.list() if m.kind.value == "password_reset"]
    assert (message.recipient, message.channel.value) == ("tess@riverton.example", "email")
    assert link not in str(dict(message.facts))  # sealed for the relay, not stored in clear

    # Used once, by her, it sets her password; a second use, or any other string, is one refusal.
    new = "a brand new passphrase"
    assert client.post("/v1/auth/password-reset", json={"token": link, "password": new}).status_code == 204
    refused(client.post("/v1/auth/password-reset", json={"token": link, "password": "another new one!"}), 422,
            "reset_link_invalid")
    refused(client.post("/v1/auth/password-reset", json={"token": "rst_" + "A" * 43, "password": new}), 422,
            "reset_link_invalid")
    assert sign_in(client, password=PASSWORD).status_code == 401
    assert sign_in(client, password=new).status_code == 200

    # A link expires; a newer link voids an older one.
    client.post(f"/v1/users/{tess}/password-reset", headers=cast["root"])
    clock.advance(hours=25)
    expired = reset_links(stack, "tess")[-1]
    refused(client.post("/v1/auth/password-reset", json={"token": expired, "password": new}), 422,
            "reset_link_invalid")
    client.post(f"/v1/users/{tess}/password-reset", headers=cast["root"])
    client.post(f"/v1/users/{tess}/password-reset", headers=cast["sam"])
    older, newer = reset_links(stack, "tess")[-2:]
    refused(client.post("/v1/auth/password-reset", json={"token": older, "password": new}), 422,
            "reset_link_invalid")
    assert client.post("/v1/auth/password-reset", json={"token": newer, "password": new}).status_code == 204

    # The secret is in no log line and no audit event.
    secrets_sent = reset_links(stack, "tess")
    assert not [s for s in secrets_sent if s in caplog.text]
    with stack.uow(read_only=True) as uow:
        trail = " ".join(str(e.draft.data) for e in uow.audit_index.search(object_id=tess))
    assert "password_reset_sent" in audit_actions(stack, tess)
    assert not [s for s in secrets_sent if s in trail]


def test_a_user_without_an_address_on_file_cannot_be_sent_a_link(client, people, cast):
    nobody = people.add("noemail", Role.AP_CLERK)
    refused(client.post(f"/v1/users/{nobody}/password-reset", headers=cast["root"]), 422, "no_email_on_file")
