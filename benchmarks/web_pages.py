"""How fast the busiest pages render for a large agency, under 8 concurrent clients, on SQLite and PostgreSQL,
beside a bare FastAPI route that returns a constant page, in the same run.

    python benchmarks/web_pages.py [--invoices 1000000] [--payments 200000] [--requests 40] [--no-pg] [--pg URL]
                                   [--keep DIR]

For each database: ``benchmarks/large_agency.py`` fills a fresh one (1,000,000 invoices, 200,000 payments by
default); the app runs as ``disburse serve`` runs it (one uvicorn process, ``main.create_app``) in a subprocess,
and a bare FastAPI app (one route, a constant HTML page of the same size as the invoice list) in another. Eight
client threads, each with its own signed-in session, request a page ``--requests`` times each, one after the
other; every answer must be 200 and the page it should be. Pages:

* **AP home** (``/``) for the example approver: the counts by status, invoices awaiting my approval, open holds by
  kind with their age, interest on late invoices;
* **invoice list** (``/invoices?status=matched``), the first keyset page of 50;
* **portal invoices** (``/portal/invoices``) for Summit Office Supply's portal user, 2,000 invoices of its own;
* **bare route**: the constant page.

Printed per page: p50, p95 and p99 latency in milliseconds and requests per second, against the targets
p95 ≤ 150 ms and p99 ≤ 300 ms. Not a test: nothing asserts; the machine and its load are printed with the figures.

``--keep DIR`` keeps what was generated (the SQLite file under DIR, the PostgreSQL database at ``--pg``, which must
then be an empty database of its own, and each one's keys and example passwords), and a later run with the same
``--keep`` reuses it: the migrations added since run on it first, as they would on an agency's database, so one
million invoices are generated once and the code measured as it changes.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

CLIENTS = 8
P95_TARGET, P99_TARGET = 150.0, 300.0
_FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(url: str, work: Path) -> dict[str, str]:
    return {**os.environ, "DISBURSE_DATABASE_URL": url, "DISBURSE_KEY_DIR": str(work / "keys"),
            "DISBURSE_OUTBOX_DIR": str(work / "outbox"), "DISBURSE_INBOX_DIR": str(work / "inbox"),
            "DISBURSE_SCHEDULER": "false", "DISBURSE_SECURE_COOKIES": "false"}


def serve(kind: str, port: int, page_bytes: int) -> None:
    """The server subprocess: the real app (its settings from the environment) or the bare one."""
    import uvicorn

    if kind == "bare":
        from fastapi import FastAPI
        from fastapi.responses import HTMLResponse

        bare = FastAPI()
        body = "<!doctype html><html lang=en><title>bare</title><main>" + "x" * page_bytes + "</main></html>"

        @bare.get("/bare")
        def constant() -> HTMLResponse:
            return HTMLResponse(body)

        app = bare
    else:
        import main

        app = main.create_app(main.build())
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


class Server:
    def __init__(self, kind: str, env: dict[str, str], page_bytes: int = 30_000) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve", kind, str(self.port), str(page_bytes)],
                                     env=env)
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the {kind} server did not start")
                time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def signed_in(base: str, username: str, password: str):  # noqa: ANN201
    import httpx

    client = httpx.Client(base_url=base, follow_redirects=False, timeout=60)
    token = _FORM_TOKEN.search(client.get("/sign-in").text).group(1)
    answer = client.post("/sign-in", data={"username": username, "password": password, "form_token": token})
    if answer.status_code != 303:
        raise RuntimeError(f"sign-in as {username} failed: {answer.status_code}")
    return client


def load(clients: list, path: str, expect: str, requests: int) -> tuple[list[float], float]:
    """Each client requests ``path`` ``requests`` times in a row, all clients at once: latencies (ms), wall (s)."""
    for c in clients[:2]:  # warm the server's caches and the first connections
        for _ in range(3):
            c.get(path)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def work(client) -> None:  # noqa: ANN001
        mine = []
        for _ in range(requests):
            t0 = time.perf_counter()
            answer = client.get(path)
            mine.append((time.perf_counter() - t0) * 1000)
            if answer.status_code != 200 or expect not in answer.text:
                errors.append(f"{path}: {answer.status_code}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if errors:
        raise RuntimeError(f"{len(errors)} bad answers, first: {errors[0]}")
    return latencies, wall


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def _agency(url: str, work: Path, args: argparse.Namespace) -> dict[str, str]:
    """The example people's passwords of a large agency at ``url``: generated now, or (``--keep``) generated by an
    earlier run and brought up to the current migrations."""
    import json

    from large_agency import build

    saved = work / "passwords.json"
    if args.keep and saved.exists():
        import main

        container = main.build(C.settings_for(url, work), migrate=True)
        container.engine.dispose()
        print(f"reusing the large agency at {work} (migrated to the current schema)", flush=True)
        return dict(json.loads(saved.read_text()))
    agency = build(url, work, invoices=args.invoices, payments=args.payments, vendors=args.vendors)
    agency.container.engine.dispose()
    if args.keep:
        saved.write_text(json.dumps(agency.passwords))
    return agency.passwords


def run_on(label: str, url: str, work: Path, args: argparse.Namespace) -> list[str]:
    passwords = _agency(url, work, args)
    env = _env(url, work)
    app, bare = Server("app", env), Server("bare", env)
    lines = []
    try:
        pw = passwords
        import httpx

        def sessions(username: str) -> list:
            # One sign-in (the per-client sign-in rate limit would refuse eight in a row), its session in 8 clients.
            first = signed_in(app.url, username, pw[username])
            return [first] + [httpx.Client(base_url=app.url, follow_redirects=False, timeout=60,
                                           cookies=first.cookies) for _ in range(CLIENTS - 1)]

        staff, vendor = sessions("approver"), sessions("summit-office-supply")

        plain = [httpx.Client(base_url=bare.url, timeout=60) for _ in range(CLIENTS)]
        cases = [("AP home", staff, "/", "What needs you today"),
                 ("invoice list, status=matched", staff, "/invoices?status=matched", "rel=\"next\""),
                 ("portal invoices", vendor, "/portal/invoices", "My invoices"),
                 ("bare FastAPI route", plain, "/bare", "<main>")]
        for name, clients, path, expect in cases:
            latencies, wall = load(clients, path, expect, args.requests)
            p50, p95, p99 = (percentile(latencies, q) for q in (50, 95, 99))
            met = "met" if p95 <= P95_TARGET and p99 <= P99_TARGET else "NOT met"
            target = "" if name.startswith("bare") else f"  target p95 ≤ 150 / p99 ≤ 300 ms: {met}"
            line = (f"{label:<10} {name:<30} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms  "
                    f"{len(latencies) / wall:6.1f} req/s  ({len(latencies)} requests){target}")
            print(line, flush=True)
            lines.append(line)
        for c in staff + vendor + plain:
            c.close()
    finally:
        app.stop()
        bare.stop()
    return lines


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--invoices", type=int, default=1_000_000)
    p.add_argument("--payments", type=int, default=200_000)
    p.add_argument("--vendors", type=int, default=20_000)
    p.add_argument("--requests", type=int, default=40, help="per client and page (8 clients)")
    p.add_argument("--pg", default=None, help="PostgreSQL URL (default: DISBURSE_TEST_POSTGRES_URL or local)")
    p.add_argument("--no-pg", action="store_true")
    p.add_argument("--no-sqlite", action="store_true")
    p.add_argument("--keep", type=Path, default=None, help="keep (or reuse) the generated agencies under DIR; "
                   "PostgreSQL's is the --pg database itself")
    args = p.parse_args()
    C.header(f"web pages under {CLIENTS} concurrent clients: {args.invoices:,} invoices, {args.payments:,} payments")
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            root = args.keep or Path(tmp)
            run_on("SQLite", C.sqlite_url(root / "sqlite" / "agency.db"), root / "sqlite", args)
    if args.no_pg:
        return
    base = C.pg_url_from(args.pg)
    why = C.pg_reachable(base)
    if why:
        print(f"PostgreSQL skipped: {why}")
        return
    if args.keep:
        run_on("PostgreSQL", base, args.keep / "pg", args)
        return
    with tempfile.TemporaryDirectory() as tmp, C.pg_database(base) as url:
        run_on("PostgreSQL", url, Path(tmp) / "pg", args)


if __name__ == "__main__":
    main()
