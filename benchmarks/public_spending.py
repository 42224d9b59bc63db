"""Where the money goes (``/spending``) on a large agency's year: how long an answer takes when it must be built
(each streams the fiscal year's payments through the checkbook's redaction once), when it was kept
(``spending_pages.PageCache``) and when the reader already holds it (304), beside a bare FastAPI route and the bare
checkbook query in the same run.

    python benchmarks/public_spending.py [--invoices 100000] [--payments 20000] [--vendors 2000] [--pg [URL]]

The agency is ``large_agency.build`` (payments of two one-line non-PO invoices, so no department or category: the
pages show them under "—"). Figures are medians of a few requests from one client; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402
from large_agency import build  # noqa: E402


def _median_ms(work: Callable[[], object], times: int) -> float:
    spent = []
    for _ in range(times):
        t = time.perf_counter()
        work()
        spent.append((time.perf_counter() - t) * 1000)
    return statistics.median(spent)


def run(url: str, work: Path, args: argparse.Namespace) -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    import main
    from adapters.db.reporting.checkbook_queries import SqlCheckbookSource
    from adapters.http.web.spending_pages import PublicRateLimit
    from payments.reporting.public_spending import fiscal_months, fiscal_year_bounds, fiscal_year_of

    agency = build(url, work, invoices=args.invoices, payments=args.payments, vendors=args.vendors)
    c = agency.container
    try:
        app = main.create_app(c)
        app.state.public_rate_limit = PublicRateLimit(10**9)  # one client asks many times: measure, do not refuse
        start_month = app.state.public_spending.start_month
        year = fiscal_year_of(c.clock.now().date(), start_month)
        since, until = fiscal_year_bounds(year, start_month)
        rows = sum(1 for _ in SqlCheckbookSource(c.engine).paid_items_between(since, until))
        bare = FastAPI()
        bare.get("/bare")(lambda: {"ok": True})
        months = iter(m.strftime("%Y-%m") for m in fiscal_months(year, start_month))
        with TestClient(app, base_url="https://testserver") as client, TestClient(bare) as plain:
            query = SqlCheckbookSource(c.engine)
            stream_ms = _median_ms(lambda: sum(1 for _ in query.paid_items_between(since, until)), 3)
            built_ms = _median_ms(lambda: client.get(f"/spending?fiscal_year={year}&month={next(months)}"), 3)
            client.get(f"/spending?fiscal_year={year}")
            kept_ms = _median_ms(lambda: client.get(f"/spending?fiscal_year={year}"), 20)
            tag = client.get(f"/spending?fiscal_year={year}").headers["etag"]
            held_ms = _median_ms(lambda: client.get(f"/spending?fiscal_year={year}",
                                                    headers={"If-None-Match": tag}), 20)
            search_ms = _median_ms(lambda: client.get(f"/spending/payments?fiscal_year={year}&q=zz{time.time_ns()}"), 3)
            bare_ms = _median_ms(lambda: plain.get("/bare"), 20)
        print(f"fiscal year {year}: {rows:,} checkbook rows ({c.engine.dialect.name})")
        print(f"  the checkbook query streamed alone     {stream_ms:9.1f} ms")
        print(f"  /spending built (a month of the year)  {built_ms:9.1f} ms")
        print(f"  /spending/payments search, built       {search_ms:9.1f} ms")
        print(f"  /spending kept (PageCache)             {kept_ms:9.1f} ms")
        print(f"  /spending with its ETag (304)          {held_ms:9.1f} ms")
        print(f"  a bare FastAPI route                   {bare_ms:9.1f} ms")
    finally:
        c.engine.dispose()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--invoices", type=int, default=100_000)
    p.add_argument("--payments", type=int, default=20_000)
    p.add_argument("--vendors", type=int, default=2_000)
    p.add_argument("--pg", nargs="?", const="", default=None, help="PostgreSQL (URL, or DISBURSE_TEST_POSTGRES_URL)")
    args = p.parse_args()
    C.header("where the money goes: /spending on a large year")
    with tempfile.TemporaryDirectory() as tmp:
        if args.pg is None:
            run(C.sqlite_url(Path(tmp) / "agency.db"), Path(tmp), args)
        else:
            with C.pg_database(C.pg_url_from(args.pg or None)) as url:
                run(url, Path(tmp), args)


if __name__ == "__main__":
    main()
