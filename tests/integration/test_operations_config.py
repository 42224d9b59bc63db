"""Running Disburse in production (issue 17): pool and timeout settings from the environment, shown by `config
show` and in force on PostgreSQL sessions; metrics added up across worker processes; payments counted only when
their transaction commits; job outcomes counted with their own request id; tracing only when asked for."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text

import main
from adapters import metrics
from adapters.db.engine import PoolOptions, make_engine

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_pool_and_timeouts_come_from_the_environment_and_config_show_prints_them(monkeypatch, capsys):
    monkeypatch.setenv("DISBURSE_DB_POOL_SIZE", "12")
    monkeypatch.setenv("DISBURSE_DB_LOCK_TIMEOUT_MS", "5000")
    monkeypatch.setenv("DISBURSE_DB_POOL_PRE_PING", "false")
    monkeypatch.setenv("DISBURSE_METRICS_TOKEN", "scrape-secret-123")
    monkeypatch.setenv("DISBURSE_WORKERS", "4")
    assert main.cli(["config", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)["settings"]
    assert shown["db_pool_size"] == 12 and shown["db_lock_timeout_ms"] == 5000 and shown["db_pool_pre_ping"] is False
    assert shown["db_statement_timeout_ms"] == 300_000 and shown["db_idle_in_transaction_timeout_ms"] == 300_000
    assert shown["workers"] == 4 and shown["metrics_token"] == "********"
    options = main.pool_options(main.Settings.from_env())
    assert options == PoolOptions(size=12, lock_timeout_ms=5000, pre_ping=False)
    assert "-c lock_timeout=5000 " in options.server_options()


def test_a_negative_timeout_is_refused_before_anything_connects(monkeypatch, capsys):
    monkeypatch.setenv("DISBURSE_DB_STATEMENT_TIMEOUT_MS", "-1")
    monkeypatch.setenv("DISBURSE_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert main.cli(["db", "upgrade"]) == 2
    assert "error: invalid_setting: pool option statement_timeout_ms must not be negative (-1)" in \
        capsys.readouterr().err


@pytest.mark.postgres
def test_every_postgresql_session_starts_with_the_timeouts_and_migrations_lift_theirs(pg_url):
    from adapters.db.migrate import migration_connection

    engine = make_engine(pg_url, options=PoolOptions(statement_timeout_ms=7000, lock_timeout_ms=3000,
                                                     idle_in_transaction_timeout_ms=9000, size=2))
    try:
        with engine.connect() as conn:
            shown = [conn.execute(text(f"SHOW {name}")).scalar() for name in
                     ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout", "application_name")]
            assert shown == ["7s", "3s", "9s", "disburse"]
            with pytest.raises(Exception, match="statement timeout"):
                conn.execute(text("SET statement_timeout = 50; SELECT pg_sleep(1)"))
        with migration_connection(engine) as conn:
            assert conn.execute(text("SHOW statement_timeout")).scalar() == "0"
            assert conn.execute(text("SHOW lock_timeout")).scalar() == "3s"  # a migration still waits only so long
        assert engine.pool.size() == 2
    finally:
        engine.dispose()


def test_payments_moved_count_only_when_their_transaction_commits(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    metrics.watch_commits(engine)
    before = sample("disburse_payments_moved_total", status="settled")
    with engine.connect() as conn:
        conn.execute(text("CREATE TABLE t (x int)"))
        metrics.count_on_commit(conn, "settled", 3)
        conn.rollback()
    with engine.connect() as conn:  # closed without commit: the pool rolls it back
        conn.execute(text("SELECT 1"))
        metrics.count_on_commit(conn, "settled", 5)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        metrics.count_on_commit(conn, "settled", 2)
        conn.commit()
    engine.dispose()
    assert sample("disburse_payments_moved_total", status="settled") - before == 2


def test_job_fires_are_counted_by_outcome_and_log_under_a_request_id_of_their_own(caplog):
    import datetime as dt

    from adapters.clock import FixedClock
    from adapters.scheduler import Job, JobRunner

    class Leader:  # this process leads; tests/integration/test_scheduler.py holds the real lease to its word
        holder = "here:1"

        def try_acquire(self, now: dt.datetime) -> bool:
            return True

        def release(self) -> None:
            pass

    class RunKeys:  # each fire once, as the job_runs table has it
        def __init__(self) -> None:
            self.claimed: set[str] = set()

        def claim(self, job: str, run_key: str, now: dt.datetime) -> bool:
            fresh = run_key not in self.claimed
            self.claimed.add(run_key)
            return fresh

        def finish(self, run_key: str, now: dt.datetime, status: str, detail: str = "") -> None:
            pass

    seen: list[str | None] = []

    def body() -> int:
        from adapters.request_ids import request_id

        seen.append(request_id.get())
        return 1

    def broken() -> None:
        raise RuntimeError("bank unreachable")

    when = dt.datetime(2026, 11, 2, 15, tzinfo=dt.timezone.utc)
    runner = JobRunner(Leader(), RunKeys(), FixedClock(when))
    done = sample("disburse_jobs_total", job="ops_test_job", outcome="done")
    again = sample("disburse_jobs_total", job="ops_test_job", outcome="already_ran")
    failed = sample("disburse_jobs_total", job="ops_test_broken", outcome="failed")
    assert runner.fire(Job("ops_test_job", body, every_s=60), when) == "done"
    assert runner.fire(Job("ops_test_job", body, every_s=60), when) == "already_ran"
    with caplog.at_level(logging.ERROR, "disburse.scheduler"):
        assert runner.fire(Job("ops_test_broken", broken, every_s=60), when) == "failed"
    assert sample("disburse_jobs_total", job="ops_test_job", outcome="done") - done == 1
    assert sample("disburse_jobs_total", job="ops_test_job", outcome="already_ran") - again == 1
    assert sample("disburse_jobs_total", job="ops_test_broken", outcome="failed") - failed == 1
    assert sample("disburse_job_duration_seconds_count", job="ops_test_job") >= 1
    assert len(seen) == 1 and seen[0].startswith("job-ops_test_job-")


def test_counters_of_several_worker_processes_add_up_in_one_scrape(tmp_path):
    """What `disburse serve --workers N` relies on: each worker writes its own file, any worker's /metrics adds
    them all up. Two forked processes count requests (each its own pid, so its own file); their parent renders."""
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "PYTHONPATH": ROOT}
    script = textwrap.dedent("""
        import os, sys
        from adapters import metrics
        for n in (3, 4):
            pid = os.fork()
            if pid == 0:
                metrics.HTTP_REQUESTS.labels("GET", "/v1/payments/{payment_id}", "200").inc(n)
                metrics.HTTP_LATENCY.labels("GET", "/v1/payments/{payment_id}").observe(0.02)
                os._exit(0)
            assert os.waitpid(pid, 0)[1] == 0
        sys.stdout.write(metrics.render().decode())
    """)
    out = subprocess.run([sys.executable, "-c", script], env=env, check=True, cwd=ROOT, timeout=60,
                         capture_output=True, text=True).stdout
    assert len(list(folder.glob("*.db"))) >= 2  # one file per worker process
    assert 'disburse_http_requests_total{method="GET",route="/v1/payments/{payment_id}",status="200"} 7.0' in out
    assert 'disburse_http_request_duration_seconds_count{method="GET",route="/v1/payments/{payment_id}"} 2.0' in out


def test_serve_prepares_the_metrics_folder_and_forgets_an_earlier_runs_counts(tmp_path, monkeypatch):
    from adapters.cli.serve_command import MULTIPROC_ENV, prepare_metrics_dir

    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "counter_123.db").write_bytes(b"old counts")
    (folder / "keep.txt").write_text("not ours")
    monkeypatch.setenv(MULTIPROC_ENV, str(folder))  # this process imported prometheus_client already
    assert prepare_metrics_dir(str(folder)) == folder
    assert sorted(p.name for p in folder.iterdir()) == ["keep.txt"]
    assert os.environ[MULTIPROC_ENV] == str(folder)


def test_tracing_is_off_unless_asked_for_and_spans_are_named_by_route_template():
    from adapters.tracing import RequestTracer, request_tracer

    assert request_tracer(False) is None
    pytest.importorskip("opentelemetry.trace")
    assert isinstance(request_tracer(True), RequestTracer)  # the API alone: no-op spans, nothing exported

    class Span:
        name = "GET request"

        def __init__(self) -> None:
            self.attributes: dict = {}
            self.ended = False

        def set_attribute(self, key: str, value: object) -> None:
            self.attributes[key] = value

        def update_name(self, name: str) -> None:
            self.name = name

        def end(self) -> None:
            self.ended = True

    class Tracer:
        def start_span(self, name: str, context: object, kind: object) -> Span:
            self.context = context
            return Span()

    class Propagate:
        def extract(self, carrier: dict) -> dict:
            return {"traceparent": carrier.get("traceparent")}

    tracer = Tracer()
    traced = RequestTracer(tracer, Propagate())
    span = traced.start({"method": "GET", "headers": [(b"traceparent", b"00-abc-def-01")]})
    traced.end(span, "/v1/payments/{payment_id}", 404)
    assert tracer.context == {"traceparent": "00-abc-def-01"}  # joins the caller's trace
    assert span.name == "GET /v1/payments/{payment_id}" and span.ended
    assert span.attributes == {"http.request.method": "GET", "http.route": "/v1/payments/{payment_id}",
                               "http.response.status_code": 404}


@pytest.mark.postgres
def test_the_scheduler_leader_keeps_its_lock_under_the_idle_in_transaction_timeout(pg_url):
    """The leader's session holds its advisory lock between fires; renewing it must not leave a transaction open,
    or the idle-in-transaction timeout ends the session and another process takes the lead."""
    import datetime as dt
    import time

    from adapters.db.scheduler.scheduler_store import SqlLeaderLock

    engine = make_engine(pg_url, options=PoolOptions(idle_in_transaction_timeout_ms=200, size=2))
    now = dt.datetime(2026, 11, 2, 15, tzinfo=dt.timezone.utc)
    leader, rival = SqlLeaderLock(engine, "a:1"), SqlLeaderLock(engine, "b:2")
    try:
        assert leader.try_acquire(now)
        assert leader.try_acquire(now)  # a renewal: the fire after
        time.sleep(0.6)
        assert not rival.try_acquire(now)
        assert leader.try_acquire(now)
    finally:
        leader.release()
        rival.release()
        engine.dispose()


@pytest.mark.skipif(os.environ.get("DISBURSE_SOAK") != "1", reason="starts real worker processes (DISBURSE_SOAK=1)")
def test_serve_with_two_workers_answers_and_its_metrics_add_up_across_them(tmp_path):
    """The real thing: `disburse serve --workers 2` on SQLite, 40 requests, one scrape that counts all of them
    whichever worker answers it. Opt-in: two workers importing the app take 5-50 s to start on a loaded host."""
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DISBURSE_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}",
           "DISBURSE_KEY_DIR": str(tmp_path / "keys"), "DISBURSE_OUTBOX_DIR": str(tmp_path / "out"),
           "DISBURSE_INBOX_DIR": str(tmp_path / "in"), "DISBURSE_SCHEDULER": "false",
           "DISBURSE_METRICS_TOKEN": "soak-token", "DISBURSE_METRICS_DIR": str(tmp_path / "metrics")}
    disburse = [sys.executable, "-c", "import sys, main; sys.exit(main.cli())"]
    subprocess.run([*disburse, "init"], env=env, cwd=ROOT, check=True, capture_output=True, timeout=120)
    started = time.monotonic()
    server = subprocess.Popen([*disburse, "serve", "--workers", "2", "--port", str(port)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{base}/readyz", timeout=2) as ready:
                    assert ready.status == 200
                    break
            except OSError:
                assert time.monotonic() - started < 120 and server.poll() is None
                time.sleep(0.2)
        print(f"serve --workers 2 ready after {time.monotonic() - started:.1f} s")
        for _ in range(40):
            urllib.request.urlopen(f"{base}/healthz", timeout=5).read()
        scrape = urllib.request.Request(f"{base}/metrics", headers={"Authorization": "Bearer soak-token"})
        text = urllib.request.urlopen(scrape, timeout=10).read().decode()
    finally:
        server.terminate()
        server.wait(timeout=60)
    assert 'disburse_http_requests_total{method="GET",route="/healthz",status="200"} 40.0' in text
    assert len(list((tmp_path / "metrics").glob("counter_*.db"))) >= 2  # both workers counted
