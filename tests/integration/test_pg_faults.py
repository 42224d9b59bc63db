"""The bank test on PostgreSQL (issue 17): clients create, release and submit payment runs over HTTP with
Idempotency-Keys and retries while their database sessions are terminated and their statements time out; afterwards
no key answered two ways, every 2xx had its effect, the bank saw each submission and payment once, every invoice was
paid exactly once and the journal verifies (tests/integration/pg_faults.py holds the world, nemesis and checker).

The default suite runs a few seconds of it; ``DISBURSE_SOAK=1`` runs minutes with more clients and prints what it
did (requests, runs, sessions killed, locks held, answers lost).
"""

from __future__ import annotations

import os
from dataclasses import fields

import pytest

import main
from payments.example.example_agency import example_accounts
from tests.conftest import make_settings
from config.settings import Settings
from tests.integration.pg_faults import STATEMENT_TIMEOUT_MS, check, heal, make_world, run_chaos, timeout_url

SOAK = os.environ.get("DISBURSE_SOAK") == "1"


@pytest.fixture
def world(pg_url, tmp_path, clock):  # noqa: ANN001, ANN201
    # The statement timeout rides on the URL and, where the settings carry the pool's server options, on those too
    # (they would replace the URL's).
    timeouts = {"db_statement_timeout_ms": STATEMENT_TIMEOUT_MS} if "db_statement_timeout_ms" in \
        {f.name for f in fields(Settings)} else {}
    c = main.build(make_settings(timeout_url(pg_url), tmp_path, **timeouts), clock=clock, migrate=True)
    main.initialize(c, example=False)
    c.ledger.add_accounts(example_accounts())
    yield make_world(c, pg_url)
    c.engine.dispose()


@pytest.mark.postgres
def test_payment_runs_under_killed_sessions_and_timeouts_pay_every_invoice_exactly_once(world):
    run_chaos(world, clients=8 if SOAK else 4, seconds=float(os.environ.get("DISBURSE_SOAK_S", 120)) if SOAK else 2.5)
    heal(world)
    counts = check(world)
    print("bank test:", ", ".join(f"{k} {v}" for k, v in counts.items()))
    assert counts["sessions terminated"] > 0  # the faults happened, or the test proved nothing
    assert counts["payments sent"] > 0
