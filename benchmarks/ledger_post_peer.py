"""The peer of benchmarks/ledger_post.py: python-accounting posting the same entries, in a child process.

Installed with ``pip --no-deps`` into ``.bench-deps/pyacc`` when missing (never a project dependency); run as
``python ledger_post_peer.py N DB`` by ``run_peer``, which puts that folder on the child's path.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402
from ledger_post_bare import bare_rows  # noqa: E402

PEER_DIR = C.ROOT / ".bench-deps" / "pyacc"
PEER_PACKAGES = ["python-accounting", "python-dateutil<3", "six"]


def ensure_peer() -> str | None:
    """None when python-accounting can be imported from PEER_DIR (installing it there if needed), else why not."""
    if (PEER_DIR / "python_accounting").is_dir() and (PEER_DIR / "dateutil").is_dir():
        return None
    print(f"installing the peer into {PEER_DIR.relative_to(C.ROOT)} (pip --no-deps; not a project dependency) ...",
          flush=True)
    cmd = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(PEER_DIR), *PEER_PACKAGES]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        return "pip failed: " + (done.stderr.strip().splitlines() or ["?"])[-1]
    return None


def peer_child(n: int, db: str) -> None:
    """Runs in a child process with PEER_DIR on sys.path; prints one JSON line."""
    sys.path.insert(0, str(PEER_DIR))
    from decimal import Decimal

    from sqlalchemy import create_engine, event, func, select

    import python_accounting
    from python_accounting.database.session import get_session
    from python_accounting.models import Account, Base, Currency, Entity, LineItem, Ledger
    from python_accounting.transactions import JournalEntry

    engine = create_engine(f"sqlite:///{db}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):  # noqa: ANN001 - same durability settings as the library's SQLite
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    Base.metadata.create_all(engine)
    drafts = bare_rows(C.payment_drafts(n))
    with get_session(engine) as s:
        entity = Entity(name="City of Riverton")
        s.add(entity)
        s.commit()
        usd = Currency(name="US Dollars", code="USD", entity_id=entity.id)
        s.add(usd)
        s.commit()
        payable = Account(name="Vouchers payable", account_type=Account.AccountType.PAYABLE, currency_id=usd.id,
                          entity_id=entity.id)
        transit = Account(name="Disbursements in transit", account_type=Account.AccountType.BANK,
                          currency_id=usd.id, entity_id=entity.id)
        s.add_all([payable, transit])
        s.commit()
        with C.Timer() as t:
            for eid, _eff, _code, memo, _refs, legs in drafts:
                amount = Decimal(legs[0][2]) / 100
                entry = JournalEntry(narration=memo, transaction_date=dt.datetime.now(), account_id=payable.id,
                                     entity_id=entity.id, currency_id=usd.id)  # main account: debited
                entry.credited = False
                s.add(entry)
                s.flush()
                leg = LineItem(narration=eid, account_id=transit.id, amount=amount, entity_id=entity.id,
                               credited=True)
                s.add(leg)
                s.flush()
                entry.line_items.add(leg)
                s.add(entry)
                entry.post(s)  # writes both ledger rows, hash-chained, and commits
        rows = s.scalar(select(func.count()).select_from(Ledger).execution_options(ignore_isolation=True))
        secure = entry.is_secure(s)
    version = getattr(python_accounting, "__version__", None)
    if version is None:
        from importlib.metadata import version as v
        try:
            version = v("python-accounting")
        except Exception:  # noqa: BLE001
            version = "?"
    print(json.dumps({"n": n, "seconds": t.seconds, "ledger_rows": rows, "last_secure": bool(secure),
                      "version": version}))


def run_peer(n: int, work: Path) -> dict | str:
    why = ensure_peer()
    if why:
        return why
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(PEER_DIR), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, __file__, str(n), str(work / "peer.db")],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        return "peer failed: " + "\n".join(done.stderr.strip().splitlines()[-5:])
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    peer_child(int(sys.argv[1]), sys.argv[2])
