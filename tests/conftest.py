"""Shared fixtures: databases (SQLite always; PostgreSQL when DISBURSE_TEST_POSTGRES_URL is set), containers.

With DISBURSE_TEST_POSTGRES_URL set (as .ci/run does) the PostgreSQL tests are mandatory: an
unreachable server fails them. Without it they skip and say why.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest

from adapters.clock import FixedClock

PG_ENV = "DISBURSE_TEST_POSTGRES_URL"
PG_SKIP = f"{PG_ENV} is not set; PostgreSQL tests skipped (set it, e.g. postgresql://postgres@127.0.0.1:5432/test)"


def pytest_report_header(config):  # noqa: ANN001
    url = os.environ.get(PG_ENV)
    return f"PostgreSQL tests: {'mandatory against ' + url if url else 'skipped (' + PG_ENV + ' not set)'}"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.timezone.utc))


def _pg_database():  # noqa: ANN202
    """Create a throwaway database on the server; yield its URL; drop it afterwards."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP)
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base)
    name = f"disburse_t_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url():  # noqa: ANN201
    yield from _pg_database()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):  # noqa: ANN001, ANN201
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'disburse.db'}"
    else:
        yield from _pg_database()


def make_settings(db_url: str, tmp_path, **extra):  # noqa: ANN001, ANN201
    from config.settings import Settings

    return Settings(database_url=db_url, key_dir=str(tmp_path / "keys"), outbox_dir=str(tmp_path / "outbox"),
                    inbox_dir=str(tmp_path / "inbox"), scheduler=False, **extra)


@pytest.fixture
def container(db_url, tmp_path, clock):  # noqa: ANN001, ANN201
    """A wired Disburse on a fresh database, journal initialized with the example chart."""
    import main

    c = main.build(make_settings(db_url, tmp_path), clock=clock, migrate=True)
    main.initialize(c, example=False)
    from payments.example.example_agency import example_accounts
    c.ledger.add_accounts(example_accounts())
    yield c
    c.engine.dispose()
