"""Request bodies as an attacker sends them (issue 12, items 9 and 16): huge, unauthenticated, malformed, saying two
things at once, or sent to an action that takes none. Each is refused before it costs memory or changes anything."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json

from payments.identity import Role
from tests.e2e.people import build_stack, client, client_for, people, stack  # noqa: F401

MIB = 2**20


def drive(app, method: str, path: str, *, headers: dict, chunks, declared_length: int | None = None):
    """Call the ASGI app as a server would, handing the body over one chunk at a time; counts the chunks it pulled."""
    pulled = {"chunks": 0}
    iterator = iter(chunks)
    raw_headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if declared_length is not None:
        raw_headers.append((b"content-length", str(declared_length).encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "https",
             "path": path, "raw_path": path.encode(), "query_string": b"", "headers": raw_headers,
             "client": ("127.0.0.1", 5555), "server": ("testserver", 443), "root_path": ""}
    sent: list[dict] = []

    async def receive():  # noqa: ANN202
        chunk = next(iterator, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        pulled["chunks"] += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):  # noqa: ANN001, ANN202
        sent.append(message)

    async def lifespan_and_call():  # noqa: ANN202
        await app(scope, receive, send)

    # On a thread of its own, with its own event loop: in a worker that ran the browser tests, Playwright's
    # synchronous API keeps a loop running on this thread, and asyncio.run refuses to start a second one there.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as own_thread:
        own_thread.submit(asyncio.run, lifespan_and_call()).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], json.loads(body) if body else None, pulled["chunks"]


def endless(total_mib: int):  # noqa: ANN201
    """A JSON-looking body of ``total_mib`` MiB, produced lazily: only what the server pulls is ever made."""
    yield b'{"vendor_id": "'
    for _ in range(total_mib):
        yield b"A" * MIB


def test_a_400_mib_body_without_a_token_is_refused_401_before_a_byte_of_it_is_read(stack):
    app = client_for(stack).app
    status, problem, pulled = drive(app, "POST", "/v1/invoices", headers={"content-type": "application/json"},
                                    chunks=endless(400))
    assert (status, problem["code"]) == (401, "unauthenticated")
    assert pulled == 0
    # Declaring the size changes nothing: still 401 (who you are comes first), still nothing read.
    status, problem, pulled = drive(app, "POST", "/v1/invoices", headers={"content-type": "application/json"},
                                    chunks=endless(400), declared_length=400 * MIB)
    assert (status, pulled) == (401, 0)


def test_an_authenticated_json_body_over_1_mib_is_413_whether_declared_or_streamed(stack, people):
    app = client_for(stack).app
    headers = {"content-type": "application/json", **people.headers("cleo", Role.AP_CLERK)}
    status, problem, pulled = drive(app, "POST", "/v1/invoices", headers=headers, chunks=endless(400),
                                    declared_length=400 * MIB)
    assert (status, problem["code"], pulled) == (413, "request_too_large", 0)
    # Chunked, with no Content-Length: read only until the cap is passed, then refused.
    status, problem, pulled = drive(app, "POST", "/v1/invoices", headers=headers, chunks=endless(400))
    assert (status, problem["code"]) == (413, "request_too_large")
    assert pulled <= 2  # the opening bytes and the first MiB: 1 MiB + 15 bytes is over the cap


def test_the_json_cap_is_a_setting_and_statement_uploads_keep_their_own_larger_cap(tmp_path, clock):
    stack = build_stack(f"sqlite:///{tmp_path / 'capped.db'}", tmp_path, clock, max_json_body_bytes=4096,
                        max_upload_body_bytes=3 * MIB)
    try:
        from tests.e2e.people import People
        people = People(stack)
        with client_for(stack) as client:
            clerk = people.headers("cleo", Role.AP_CLERK)
            big_json = {"legal_name": "Acme", "terms": "", "contacts": [{"note": "x" * 5000}]}
            r = client.post("/v1/vendors", json=big_json, headers=people.headers("val", Role.VENDOR_ADMIN))
            assert (r.status_code, r.json()["code"]) == (413, "request_too_large")
            treasurer = people.headers("tess", Role.TREASURER)
            # A 2 MiB bank file is past the JSON cap but within the upload cap: it is read (and refused as no format
            # we know), not cut off.
            r = client.post("/v1/statements", content=b"X" * (2 * MIB), headers=treasurer)
            assert r.status_code == 422, r.text
            r = client.post("/v1/statements", content=b"X" * (4 * MIB), headers=treasurer)
            assert (r.status_code, r.json()["code"]) == (413, "request_too_large")
            assert clerk  # the clerk exists; nothing above was written for anyone
            assert client.get("/v1/vendors", headers=clerk).json()["items"] == []
    finally:
        stack.engine.dispose()


def test_malformed_json_without_a_token_is_401_not_422(client, people):
    r = client.post("/v1/invoices", content=b'{"vendor_id": ', headers={"content-type": "application/json"})
    assert (r.status_code, r.json()["code"]) == (401, "unauthenticated")
    r = client.post("/v1/invoices", content=b'{"vendor_id": ',
                    headers={"content-type": "application/json", **people.headers("cleo", Role.AP_CLERK)})
    assert r.status_code == 422 and r.json()["code"] == "invalid_request"


def test_a_json_object_with_a_key_twice_is_refused_and_nothing_is_created(client, people):
    admin = {"content-type": "application/json", **people.headers("val", Role.VENDOR_ADMIN)}
    body = b'{"legal_name": "Acme Furniture", "legal_name": "Mallory Holdings", "terms": "net 30"}'
    r = client.post("/v1/vendors", content=body, headers=admin)
    assert (r.status_code, r.json()["code"]) == (422, "duplicate_json_key")
    assert "legal_name" in r.json()["detail"]
    nested = b'{"legal_name": "Acme", "contacts": [{"phone": "1", "phone": "2"}]}'
    assert client.post("/v1/vendors", content=nested, headers=admin).json()["code"] == "duplicate_json_key"
    assert client.post("/v1/vendors", content=b'{"legal_name": NaN}', headers=admin).json()["code"] == "invalid_json"
    assert client.get("/v1/vendors", headers=admin).json()["items"] == []
    assert client.post("/v1/vendors", content=b'{"legal_name": "Acme Furniture"}', headers=admin).status_code == 201


def test_an_action_that_takes_no_body_refuses_a_malformed_one_and_does_nothing(client, people):
    treasurer = people.headers("tess", Role.TREASURER)
    checkpoints = lambda: client.get("/v1/ledger/checkpoints", headers=treasurer).json()["items"]  # noqa: E731
    before = len(checkpoints())
    r = client.post("/v1/ledger/checkpoints", content=b"{not json at all",
                    headers={"content-type": "application/json", **treasurer})
    assert (r.status_code, r.json()["code"]) == (422, "unexpected_body")
    r = client.post("/v1/ledger/checkpoints", json={"sequence": 1}, headers=treasurer)
    assert (r.status_code, r.json()["code"]) == (422, "unexpected_body")
    assert len(checkpoints()) == before
    # No body, or an empty object, is what such an action takes.
    assert client.post("/v1/ledger/checkpoints", headers=treasurer).status_code == 201
    assert client.post("/v1/ledger/checkpoints", json={}, headers=treasurer).status_code == 201
    assert len(checkpoints()) == before + 2


def test_a_session_form_with_only_its_csrf_field_may_post_to_an_action_without_a_body(client, people):
    people.add("tess", Role.TREASURER, password="correct horse battery staple")
    signed = client.post("/v1/auth/sign-in", json={"username": "tess", "password": "correct horse battery staple"})
    csrf = signed.json()["csrf_token"]
    assert client.post("/v1/ledger/checkpoints", data={"csrf_token": csrf}).status_code == 201
    r = client.post("/v1/ledger/checkpoints", data={"csrf_token": csrf, "sequence": "1"})
    assert (r.status_code, r.json()["code"]) == (422, "unexpected_body")
