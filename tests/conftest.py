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


@pytest.fixture(autouse=True, scope="session")
def _quick_password_hashing():  # noqa: ANN202
    """argon2id at the production parameters (RFC 9106: t=3, 64 MiB, 4 lanes) takes a good part of a second a hash
    on a busy two-core machine, and the example agency gives eleven people passwords: seconds for every test that
    loads it. In this process the hasher's defaults are the cheapest argon2id; what is hashed, stored and verified
    is unchanged, and the `disburse` processes the CLI tests start keep the production parameters."""
    from adapters.keys.passwords import PasswordHasher

    defaults = PasswordHasher.__init__.__kwdefaults__
    saved = dict(defaults)
    defaults.update(time_cost=1, memory_cost_kib=8, parallelism=1)
    yield
    defaults.update(saved)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.timezone.utc))


def _pg_database(template: str | None = None):  # noqa: ANN202
    """Create a throwaway database on the server (a copy of ``template`` when given); yield its URL; drop it."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP)
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base)
    name = f"disburse_t_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url():  # noqa: ANN201
    yield from _pg_database()


# Every test used to run all the migrations on a new database of its own: seconds a test, most of the suite's time
# on two cores. Each worker now migrates one template per engine, once, and a test's database starts as a copy of
# it (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL): the same schema `upgrade` leaves, since
# the template is made by `upgrade` alone. A test that needs a database with no schema at all (one that runs the
# migrations itself, or starts from an older revision) says so with @pytest.mark.empty_db.


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):  # noqa: ANN001, ANN201
    """A SQLite database file at the migrations' head, made once per worker."""
    from adapters.db.engine import make_engine
    from adapters.db.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "disburse.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection to close checkpoints the write-ahead log into the file itself
    return path


@pytest.fixture(scope="session")
def pg_template():  # noqa: ANN201
    """A PostgreSQL database at the migrations' head, made once per worker; its name, for CREATE DATABASE TEMPLATE."""
    from adapters.db.engine import make_engine
    from adapters.db.migrate import upgrade

    made = _pg_database()
    url = next(made)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()  # a template may have no one connected while it is copied
    yield url.rsplit("/", 1)[1]
    next(made, None)


def copy_of_template(path, template) -> None:  # noqa: ANN001
    import shutil

    shutil.copyfile(template, path)
    wal = template.with_name(template.name + "-wal")
    if wal.exists():  # not checkpointed after all: the log belongs with the copy
        shutil.copyfile(wal, path.with_name(path.name + "-wal"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):  # noqa: ANN001, ANN201
    empty = request.node.get_closest_marker("empty_db") is not None
    if request.param == "sqlite":
        path = tmp_path / "disburse.db"
        if not empty:
            copy_of_template(path, request.getfixturevalue("sqlite_template"))
        yield f"sqlite:///{path}"
    else:
        yield from _pg_database(None if empty else request.getfixturevalue("pg_template"))


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
