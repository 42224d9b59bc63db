"""Helpers shared by the benchmarks: the machine they ran on, timing, throwaway databases, test data.

Benchmarks print figures; they are not tests and nothing in the test suite imports them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import socket
import sqlite3
import sys
import time
import uuid
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python benchmarks/x.py` from anywhere
    sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
PG_ENV = "DISBURSE_TEST_POSTGRES_URL"
PAYABLE, IN_TRANSIT = "100-2010", "100-1050"  # Vouchers payable, Disbursements in transit (example chart)
EFFECTIVE = dt.date(2026, 8, 3)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def machine() -> str:
    """One line naming the machine, for headers and the README's table."""
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        mem = f", {kib / 2**20:.0f} GiB"
    return f"{cpu_model()}, {cores()} cores{mem}, Python {platform.python_version()}"


def _spin(seconds: float, out) -> None:  # noqa: ANN001
    """Count Ed25519 verifications (the verifier's own cost) for ``seconds`` of wall time."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    public, message = key.public_key(), b"\x01" * 32
    signature, n, end = key.sign(message), 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        public.verify(signature, message)
        n += 1
    out.put(n)


def parallel_headroom(seconds: float = 2.0) -> float:
    """How much more two processes get done than one, right now: 2.0 on two idle cores, about 1.0 when the
    machine's other work leaves this program no more than one core's worth whatever it starts."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    rates = []
    for procs in (1, 2):
        out = ctx.Queue()
        ps = [ctx.Process(target=_spin, args=(seconds, out)) for _ in range(procs)]
        for p in ps:
            p.start()
        rates.append(sum(out.get() for _ in ps))
        for p in ps:
            p.join()
    return rates[1] / rates[0] if rates[0] else float("nan")


def header(title: str) -> None:
    import cryptography
    import sqlalchemy

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"== {title}")
    print(f"machine : {machine()}")
    print(f"software: {platform.system()} {platform.release()}, SQLite {sqlite3.sqlite_version}, "
          f"SQLAlchemy {sqlalchemy.__version__}, cryptography {cryptography.__version__}")
    print(f"started : {dt.datetime.now().isoformat(timespec='seconds')}, load average {load} "
          "(other work on the machine skews figures)")
    print()


class Timer:
    """``with Timer() as t: ...`` then ``t.seconds``."""

    def __enter__(self) -> "Timer":
        self._t0 = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._t0


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def fmt_rate(value: float) -> str:
    return f"{value:,.0f} entries/s"


def settings_for(url: str, work: Path):  # noqa: ANN201
    from config.settings import Settings

    return Settings(database_url=url, key_dir=str(work / "keys"), outbox_dir=str(work / "outbox"),
                    inbox_dir=str(work / "inbox"), scheduler=False)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def payment_drafts(n: int, start: int = 0) -> list:
    """``n`` two-leg ``payment_sent`` entries: debit Vouchers payable, credit Disbursements in transit."""
    from ledger.accounts import Direction
    from ledger.entries import EntryDraft, Posting, new_entry_id

    out = []
    for i in range(start, start + n):
        amount = 100 + (i * 7919) % 9_999_900  # $1.00 .. $100,000.00, varied
        out.append(EntryDraft(new_entry_id(), EFFECTIVE, "payment_sent",
                              (Posting(PAYABLE, Direction.DEBIT, amount, "USD"),
                               Posting(IN_TRANSIT, Direction.CREDIT, amount, "USD")),
                              memo=f"payment {i}", references={"payment": f"PAY-{i:07d}"}))
    return out


def batches(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


# -- PostgreSQL ---------------------------------------------------------------------------------------

def pg_reachable(url: str, timeout: float = 2.0) -> str | None:
    """None when a connection can be made, else why not."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    try:
        socket.create_connection((u.host or "127.0.0.1", u.port or 5432), timeout=timeout).close()
    except OSError as exc:
        return f"{u.host}:{u.port or 5432} not reachable ({exc})"
    try:
        import psycopg

        with psycopg.connect(u.set(drivername="postgresql").render_as_string(hide_password=False),
                             connect_timeout=int(timeout) or 1, autocommit=True):
            pass
    except Exception as exc:  # noqa: BLE001 - any failure means "not usable", said in the output
        return f"cannot connect: {str(exc).strip().splitlines()[0]}"
    return None


@contextlib.contextmanager
def pg_database(base: str, prefix: str = "disburse_bench") -> Iterator[str]:
    """A throwaway database on the server (as tests/conftest.py makes them); dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_url_from(arg: str | None) -> str:
    return arg or os.environ.get(PG_ENV) or DEFAULT_PG


def pg_backends_cpu(url: str) -> float | None:
    """CPU seconds used so far by the server processes serving ``url``'s database (a local server only)."""
    import psycopg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        pids = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                           "AND pid <> pg_backend_pid()")]
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    try:
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    except (OSError, IndexError, ValueError):
        return None
    return total
