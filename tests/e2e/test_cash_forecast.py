"""The cash forecast over HTTP: what leaves the bank in the next ten business days, by bank account and fund.

Acme Furniture (fund 100; its bank account active on Monday 16 November 2026, when the chairs' order was long
received) has four approved invoices for chairs at $195:

* NOW-1 (10 chairs, $1,950): due by the time a run on the 16th looks, so today's run takes it; the run is created
  and not yet sent, so its payment is *scheduled*, leaving the bank on its effective date, Tuesday the 17th;
* SOON-1 (4 chairs, $780, received 26 October: due 25 November): no run holds it yet; a run pays it two days
  before its due date, so the run of Monday the 23rd, settling Tuesday the 24th: *planned*;
* LATER-1 (3 chairs, received 16 November: due 16 December): beyond the horizon;
* HELD-1 (2 chairs): its payment came back and the invoice is held: not forecast, shown apart.

From Monday 16 November the ten business days run to Monday 30 November (Thanksgiving, the 26th, is no business
day). Nothing has been paid into fund 100's operating Cash (100-1010), so the account is short by the outflow.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from tests.e2e.paying import acme, approved_invoice, pay  # noqa: F401
from tests.e2e.people import client, people, stack  # noqa: F401


def test_the_forecast_counts_the_scheduled_run_plans_what_falls_due_and_shows_the_rest_apart(
        stack, client, acme, clock, monkeypatch, capsys):  # noqa: ANN001, F811
    now = approved_invoice(acme, "NOW-1", chairs=10, received=dt.date(2026, 10, 16))
    pay(client, clock, acme, on=dt.date(2026, 11, 16), submit=False)  # today's run: NOW-1, scheduled
    soon = approved_invoice(acme, "SOON-1", chairs=4, received=dt.date(2026, 10, 26))
    approved_invoice(acme, "LATER-1", chairs=3)
    held = approved_invoice(acme, "HELD-1", chairs=2)
    with stack.uow() as uow:
        uow.paid_invoices.hold([held], payment_id="pay_test", hold="payment_returned", reason_code="R01",
                               message="the vendor's bank returned it", at=clock.now())
        uow.commit()

    r = client.get("/v1/reports/cash-forecast", params={"business_days": 10}, headers=acme["cast"]["aud"])
    assert r.status_code == 200, r.text
    f = r.json()
    assert (f["days"][0], f["days"][-1], len(f["days"])) == ("2026-11-16", "2026-11-30", 10)
    assert "2026-11-26" not in f["days"]
    (line,) = f["by_bank_account"]
    assert (line["bank_account"], line["fund"], line["cash_account"]) == ("operating", "100", "100-1010")
    assert (line["scheduled_minor"], line["planned_minor"], line["outflow_minor"]) == (195_000, 78_000, 273_000)
    assert (line["cash_minor"], line["cash_after_minor"], line["short"]) == (0, -273_000, True)
    by_day = {d["date"]: d["outflow_minor"] for d in line["by_day"]}
    assert (by_day["2026-11-17"], by_day["2026-11-24"], sum(by_day.values())) == (195_000, 78_000, 273_000)
    assert [(x["date"], x["source"]) for x in f["rows"]] == [("2026-11-17", "scheduled"), ("2026-11-24", "planned")]
    assert f["rows"][1]["reference"] == soon
    assert f["held"] == {"invoices": 1, "amount_minor": 39_000}
    assert f["beyond_horizon"] == {"invoices": 1, "amount_minor": 58_500}

    as_csv = client.get("/v1/reports/cash-forecast", params={"business_days": 10, "format": "csv"},
                        headers=acme["cast"]["aud"])
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [(x["date"], x["source"], x["amount_minor"]) for x in rows] == [
        ("2026-11-17", "scheduled", "195000"), ("2026-11-24", "planned", "78000")]

    assert client.get("/v1/reports/cash-forecast", headers=acme["cast"]["acme"]).status_code == 403
    assert client.get("/v1/reports/cash-forecast", params={"business_days": 0},
                      headers=acme["cast"]["aud"]).status_code == 422
    assert now not in {x["reference"] for x in f["rows"]}  # the scheduled row names its payment, not the invoice

    import json

    import main
    from tests.integration.test_open_checkbook import _env

    _env(monkeypatch, stack)  # the CLI gives the same forecast
    assert main.cli(["reports", "cash-forecast", "--as-of", "2026-11-16", "--business-days", "10", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == f

    # The same forecast as a staff page (/reports/cash-forecast), for the same readers: the account short by the
    # outflow, each day's total drawn and tabled, each expected payment linked to what it pays, the rest apart.
    page = client.get("/reports/cash-forecast", params={"as_of": "2026-11-16", "business_days": 10},
                      headers=acme["cast"]["aud"])
    assert page.status_code == 200, page.text
    assert "<caption>By bank account and fund</caption>" in page.text and "100-1010" in page.text
    assert "-$2,730.00" in page.text and "$1,950.00" in page.text and "$780.00" in page.text
    assert '<title id="chart-cash-forecast-title">Outflow by business day</title>' in page.text
    assert f'href="/invoices/{soon}"' in page.text and "Planned: a run would pay it" in page.text
    assert "Held invoices" in page.text and "$390.00" in page.text and "style=" not in page.text
    days = list(csv.reader(io.StringIO(client.get("/reports/cash-forecast.csv", params={
        "as_of": "2026-11-16", "business_days": 10, "table": 2}, headers=acme["cast"]["aud"]).text)))
    assert days[0] == ["date", "outflow_minor"] and len(days) == 11
    assert ["2026-11-17", "195000"] in days and ["2026-11-24", "78000"] in days
    assert client.get("/reports/cash-forecast", headers=acme["cast"]["acme"]).status_code == 403
    for bad in ("0", "61", "ten"):
        assert client.get("/reports/cash-forecast", params={"business_days": bad},
                          headers=acme["cast"]["aud"]).status_code == 422
