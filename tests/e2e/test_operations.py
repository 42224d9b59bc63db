"""What an operator sees (issue 17): /readyz apart from /healthz, /metrics behind its own token, a request id on
every answer and every log line of the request, and logs that never carry an account number or a token even when
a request is built to put them there. On SQLite: the routes are the same on PostgreSQL (its timeouts are tested in
tests/integration/test_operations_config.py)."""

from __future__ import annotations

import io
import json
import logging
import re
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from adapters.log_format import configure_logging
from payments.identity import Role
from tests.e2e.people import People, sqlite_stack  # noqa: F401
from tests.e2e.test_crash_recovery_api import world  # noqa: F401 - a run's world: fake invoices, a memory rail

ACCOUNT = "987654321012"  # what an account number looks like to the redactor: nine digits or more
TOKEN_TAIL = "Zq8vLx2Pw7Rt"


def app_for(stack, **settings):  # noqa: ANN001, ANN201
    import main

    stack.settings = replace(stack.settings, **settings)
    return main.create_app(stack)


@pytest.fixture
def json_logs():  # noqa: ANN201
    """Everything the service logs, as its JSON lines, through its own handler (redactor included)."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    configure_logging("json", "INFO")
    root.handlers[0].setStream(stream)
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_healthz_is_liveness_and_readyz_checks_database_schema_key_and_scheduler(sqlite_stack):
    with TestClient(app_for(sqlite_stack)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
    assert ready.status_code == 200
    checks = ready.json()["checks"]
    assert ready.json()["status"] == "ready"
    assert checks["database"]["ok"] and checks["migrations"] == {"ok": True, "missing": [], "newer": []}
    assert checks["signing_key"]["ok"] and checks["signing_key"]["key_id"].startswith("k_")
    assert checks["scheduler"] == {"this_process": "off", "last_fire": None}


def test_readyz_is_503_without_the_signing_key_or_behind_the_codes_migrations_not_ahead_of_them(sqlite_stack):
    app = app_for(sqlite_stack)
    with TestClient(app) as client:
        key_files = list(sqlite_stack.vault.path.glob("ledger-*.ed25519"))
        assert key_files
        moved = [f.rename(f.with_suffix(".away")) for f in key_files]
        missing = client.get("/readyz")
        for f in moved:
            f.rename(f.with_suffix(".ed25519"))
        assert client.get("/readyz").status_code == 200
        with sqlite_stack.engine.begin() as conn:  # a rolling upgrade: the next release migrated this database
            conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('9999_from_the_future')"))
        newer = client.get("/readyz")
        with sqlite_stack.engine.begin() as conn:  # a release ahead of its database: one branch's head not applied
            head = conn.execute(text("SELECT min(version_num) FROM alembic_version WHERE version_num < '9'")).scalar()
            conn.execute(text("DELETE FROM alembic_version WHERE version_num = :v"), {"v": head})
        behind = client.get("/readyz")
    assert missing.status_code == 503 and missing.json()["status"] == "not_ready"
    assert missing.json()["checks"]["signing_key"]["error"] == "signing_key_missing"
    assert newer.status_code == 200 and newer.json()["checks"]["migrations"]["newer"] == ["9999_from_the_future"]
    assert behind.status_code == 503 and behind.json()["checks"]["migrations"]["missing"] == [head]


def test_readyz_is_503_when_the_database_does_not_answer(sqlite_stack):
    from adapters.db.engine import make_engine
    from adapters.db.ops_queries import database_checks

    app = app_for(sqlite_stack)
    nowhere = make_engine("postgresql://disburse@127.0.0.1:1/none")  # a closed port: refused at once
    app.state.database_checks = lambda: database_checks(nowhere)
    with TestClient(app) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["checks"] == {"database": {"ok": False, "error": "OperationalError"}}


def test_metrics_need_their_own_token_and_label_routes_by_template_never_by_id(sqlite_stack):
    with TestClient(app_for(sqlite_stack)) as client:
        assert client.get("/metrics").status_code == 404  # no token configured: as if there were no /metrics
    people = People(sqlite_stack)
    treasurer = people.headers("tess", Role.TREASURER)
    with TestClient(app_for(sqlite_stack, metrics_token="scrape-me-please")) as client:
        client.get("/v1/payment-runs/rn_01NOTAREALRUN0000000000", headers=treasurer)
        client.get(f"/v1/payments/{ACCOUNT}", headers=treasurer)
        client.get(f"/no/such/page/{ACCOUNT}")
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}).status_code == 401
        user_token = client.get("/metrics", headers=treasurer)  # a user's token is not the scraper's
        scraped = client.get("/metrics", headers={"Authorization": "Bearer scrape-me-please"})
    assert user_token.status_code == 401
    assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain")
    body = scraped.text
    assert re.search(r'disburse_http_requests_total\{method="GET",route="/v1/payment-runs/\{run_id\}",'
                     r'status="404"\} [1-9]', body)
    assert 'route="/v1/payments/{payment_id}"' in body and 'route="unmatched",status="404"' in body
    assert "rn_01NOTAREALRUN" not in body and ACCOUNT not in body
    assert 'disburse_http_request_duration_seconds_bucket{le="0.005",method="GET"' in body
    assert "disburse_journal_head_sequence 1.0" in body  # read from the database at scrape time
    assert "disburse_ledger_append_seconds_count" in body


def test_a_request_id_is_kept_when_well_formed_replaced_when_not_and_carried_into_errors_and_logs(sqlite_stack,
                                                                                                   json_logs):
    with TestClient(app_for(sqlite_stack)) as client:
        kept = client.get("/v1/payment-runs/rn_x", headers={"X-Request-ID": "lb-7f3a.c2_9"})
        made = client.get("/v1/payments")
        hostile = client.get("/v1/payments", headers={"X-Request-ID": "bad id\twith spaces"})
        too_long = client.get("/v1/payments", headers={"X-Request-ID": "a" * 65})
        numbered = client.get("/v1/payments", headers={"X-Request-ID": ACCOUNT})
        probe = client.get("/healthz")  # a load balancer's, every few seconds: logged at DEBUG only
    assert kept.headers["x-request-id"] == "lb-7f3a.c2_9"
    assert kept.status_code == 401 and kept.json()["request_id"] == "lb-7f3a.c2_9"  # the problem body names it
    ulid = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")
    for answer in (made, hostile, too_long, numbered):
        assert ulid.fullmatch(answer.headers["x-request-id"])
    assert len({a.headers["x-request-id"] for a in (made, hostile, too_long, numbered)}) == 4
    access = [r for r in lines(json_logs) if r["logger"] == "disburse.http"]
    assert all(r.get("request_id") for r in lines(json_logs) if r["logger"].startswith("disburse"))
    assert [r["request_id"] for r in access] == [a.headers["x-request-id"]
                                                 for a in (kept, made, hostile, too_long, numbered)]
    assert access[0]["route"] == "/v1/payment-runs/{run_id}" and access[0]["status"] == 401
    assert probe.status_code == 200 and probe.headers["x-request-id"] not in json_logs.getvalue()


def test_logs_never_carry_account_numbers_or_tokens_even_from_a_request_built_to_leak_them(sqlite_stack, json_logs):
    people = People(sqlite_stack)
    bearer = people.headers("tess", Role.TREASURER)
    secret = bearer["Authorization"].removeprefix("Bearer ")
    app = app_for(sqlite_stack)

    def leaky(account: str) -> None:  # a handler bug that puts everything it holds into an exception message
        raise RuntimeError(f"could not pay account {account} with token={secret} ({bearer['Authorization']})")

    app.add_api_route("/leaky/{account}", leaky)
    with TestClient(app, raise_server_exceptions=False) as client:
        crashed = client.get(f"/leaky/{ACCOUNT}?account_number={ACCOUNT}&token=dsb_{TOKEN_TAIL}",
                             headers={**bearer, "X-Request-ID": "leak-test-1"})
        refused = client.post("/v1/payment-runs", headers={**bearer, "X-Request-ID": f"acct-{ACCOUNT}"},
                              json={"rail": ACCOUNT, "run_date": "not a date"})
    assert crashed.status_code == 500 and refused.status_code == 422
    output = json_logs.getvalue()
    assert ACCOUNT not in output and secret not in output and TOKEN_TAIL not in output
    assert secret[4:] not in output  # not even the token without its dsb_ prefix
    records = lines(json_logs)
    crash = [r for r in records if r.get("request_id") == "leak-test-1"]
    assert {r["logger"] for r in crash} == {"disburse.http"}  # the traceback and the access line, both with the id
    assert any(r["message"] == "unhandled error" and "could not pay account ****1012" in r["exception"]
               for r in crash), crash
    assert any(r["message"].startswith("GET /leaky/{account} 500 ") for r in crash)
    assert refused.headers["x-request-id"] != f"acct-{ACCOUNT}"  # an id carrying a number is not taken


def test_payments_sent_are_counted_once_committed_and_shown_by_status(world):  # noqa: F811
    """Through the real repositories: a run submitted to the rail moves its two payments to sent, counted when the
    transaction commits; the gauge reads the database."""
    from prometheus_client import REGISTRY

    from tests.e2e.conftest import as_role

    app, rail, _armed = world
    app.state.settings = replace(app.state.settings, metrics_token="t0ken-for-scrapes")
    before = REGISTRY.get_sample_value("disburse_payments_moved_total", {"status": "sent"}) or 0
    with TestClient(app) as api:
        run = api.post("/v1/payment-runs", json={}, headers=as_role("ap_clerk")).json()
        api.post(f"/v1/payment-runs/{run['id']}:release", headers=as_role("treasurer"))
        assert api.post(f"/v1/payment-runs/{run['id']}:submit", headers=as_role("treasurer")).status_code == 200
        scraped = api.get("/metrics", headers={"Authorization": "Bearer t0ken-for-scrapes"}).text
    assert rail.submits == 1
    assert REGISTRY.get_sample_value("disburse_payments_moved_total", {"status": "sent"}) - before == 2
    assert 'disburse_payments{status="sent"} 2.0' in scraped
