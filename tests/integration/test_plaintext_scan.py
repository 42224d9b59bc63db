"""Plaintext scan: after bank accounts with known numbers go through every path (portal request, staff request,
a refused request, call-back, approval, the payment run's prenotes, activation, a reveal, the audit trail), none of
the numbers is anywhere at rest — not in the SQLite file and its WAL, not in a PostgreSQL dump — nor in the logs,
nor in any response but the reveal's."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from adapters.log_format import configure_logging
from payments.identity import Role
from tests.e2e.people import ON_FILE, ROUTING, People, build_stack, client_for, set_contact

# Long and unusual enough that no hash, key or timestamp contains them by chance.
NUMBERS = ["004815162342", "31415926535897", "27182818284"]


def _exercise(stack) -> tuple[list[str], list[str]]:  # noqa: ANN001
    """Drive every path that touches an account number or a token; return the bodies of every response but the
    reveal's and the token's own, and the token secrets minted."""
    people = People(stack)
    admin, val, vic = (people.headers("root", Role.ADMIN), people.headers("val", Role.VENDOR_ADMIN),
                       people.headers("vic", Role.VENDOR_ADMIN))
    tess = people.headers("tess", Role.TREASURER)
    bodies, tokens = [], []
    with client_for(stack) as client:
        tokens.append(client.post(f"/v1/users/{people.ids['root']}/tokens", headers=admin, json={}).json()["token"])
        tokens += [h["Authorization"].removeprefix("Bearer ") for h in (admin, val, vic, tess)]
        for i, number in enumerate(NUMBERS):
            vendor = f"ven_01SCAN{i}000000000000000000"
            set_contact(stack, vendor)
            if i == 0:
                r = client.post("/v1/portal/bank-account-changes", headers=people.vendor("scan-v", vendor),
                                json={"routing_number": ROUTING, "account_number": number, "account_type": "checking"})
            else:
                r = client.post(f"/v1/vendors/{vendor}/bank-account-changes", headers=val,
                                json={"routing_number": ROUTING, "account_number": f"{number[:4]}-{number[4:]}",
                                      "account_type": "savings"})
            bodies.append(r.text)
            change = r.json()["id"]
            bad = client.post(f"/v1/vendors/{vendor}/bank-account-changes", headers=val,
                              json={"routing_number": "123456789", "account_number": number,
                                    "account_type": "checking"})
            bodies.append(bad.text)
            for path, who, body in ((f"/v1/bank-account-changes/{change}/callback", vic,
                                     {"number_called": ON_FILE, "outcome": "confirmed"}),
                                    (f"/v1/bank-account-changes/{change}/approve", tess, None)):
                bodies.append(client.post(path, headers=who, json=body).text)
            bodies.append(client.get(f"/v1/vendors/{vendor}/bank-accounts", headers=val).text)
            account_id = client.get(f"/v1/bank-account-changes/{change}", headers=val).json()["bank_account_id"]
            revealed = client.post(f"/v1/bank-accounts/{account_id}/reveal", headers=val, json={"reason": "scan"})
            assert revealed.json()["account_number"] == number
        stack.clock.advance(days=10)
        # Cooling-off over: the payment run sends each account its prenote, opening every number to write the file.
        run = client.post("/v1/payment-runs", headers=people.headers("cat", Role.AP_CLERK), json={})
        bodies.append(run.text)
        assert run.status_code == 201 and run.json()["payment_count"] == len(NUMBERS), run.text
        treasurer = people.headers("tina", Role.TREASURER)
        bodies.append(client.post(f"/v1/payment-runs/{run.json()['id']}:release", headers=treasurer).text)
        submitted = client.post(f"/v1/payment-runs/{run.json()['id']}:submit", headers=treasurer)
        assert submitted.json()["result"] == "accepted", submitted.text
        bodies.append(submitted.text)
        for record in stack.bank_accounts.list_changes(people.principal("val")):
            stack.bank_accounts.prenote_sent("system", record.change.change_id)
        stack.clock.advance(days=3)
        stack.bank_accounts.activate_cleared()
        bodies.append(client.get("/v1/audit", headers=people.headers("aud", Role.AUDITOR),
                                 params={"limit": 1000}).text)
        bodies.append(client.get("/v1/bank-account-changes", headers=val).text)
        bodies.append(client.get("/v1/portal/bank-account-changes",
                                 headers=people.vendor("scan-v", "ven_01SCAN0000000000000000000")).text)
    return bodies, tokens


def _assert_absent(blob: bytes | str, where: str, tokens: list[str]) -> None:
    data = blob if isinstance(blob, bytes) else blob.encode()
    for secret in NUMBERS + tokens:
        assert secret.encode() not in data, f"{secret[:4]}… found in {where}"


@pytest.fixture
def captured_logs(caplog):  # noqa: ANN001, ANN201
    """Everything logged at DEBUG, raw (caplog, no redaction) and through the service's redacting handler."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    configure_logging("text", "DEBUG")
    root.handlers[0].setStream(stream)
    root.handlers.extend(h for h in saved[0] if h not in root.handlers)  # keep pytest's own capture handlers
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # SQL and its parameters
    yield caplog, stream
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def test_no_account_number_in_the_sqlite_file_or_the_logs(tmp_path, clock, captured_logs):
    caplog, stream = captured_logs
    stack = build_stack(f"sqlite:///{tmp_path / 'scan.db'}", tmp_path, clock)
    bodies, tokens = _exercise(stack)
    stack.engine.dispose()
    files = [p for p in tmp_path.iterdir() if p.name.startswith("scan.db")]
    assert files
    for path in files:  # the database, and its -wal and -shm files
        _assert_absent(path.read_bytes(), path.name, tokens)
    assert len(caplog.records) > 50  # the SQL log ran, so the scan saw something
    _assert_absent(caplog.text, "the raw captured log", tokens)
    _assert_absent(stream.getvalue(), "the application log", tokens)
    for body in bodies:
        _assert_absent(body, "a response", tokens)


@pytest.mark.postgres
def test_no_account_number_in_a_postgresql_dump(pg_url, tmp_path, clock, captured_logs):
    caplog, stream = captured_logs
    pg_dump = shutil.which("pg_dump") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))), None)
    if pg_dump is None:
        pytest.fail("pg_dump is needed for the plaintext scan (install postgresql-client)")
    stack = build_stack(pg_url, tmp_path, clock)
    bodies, tokens = _exercise(stack)
    stack.engine.dispose()
    url = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    dump = subprocess.run([str(pg_dump), "--data-only", "--inserts", url], capture_output=True, timeout=120,
                          check=True).stdout
    assert b"vendor_bank_accounts" in dump and b"INSERT INTO" in dump
    _assert_absent(dump, "the PostgreSQL dump", tokens)
    _assert_absent(caplog.text, "the raw captured log", tokens)
    _assert_absent(stream.getvalue(), "the application log", tokens)
    for body in bodies:
        _assert_absent(body, "a response", tokens)
