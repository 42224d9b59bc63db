"""The payment-run pages over HTTP, on the morning a run is due (``treasury_world``): a treasurer previews the run
(nothing written), creates it, releases it and sends it; the file sent downloads for those allowed to submit it,
each download in the audit trail; a run above the policy's threshold needs a second treasurer; a run is cancelled
with a reason and its invoices are free again; buttons show only to those allowed, and the server refuses the rest
exactly as the API does."""

from __future__ import annotations

import csv
import io
import re

import openpyxl

from payments.identity import Role
from tests.e2e.people import People
from tests.e2e.treasury_world import _treasury_template, treasury_web, treasury_world  # noqa: F401
from tests.e2e.web import csrf_of, web_sign_in


def _signed_in(world, username: str, password: str | None = None):  # noqa: ANN001, ANN202
    client = world.client()
    answer = web_sign_in(client, username, password or world.passwords[username])
    assert answer.status_code == 303, answer.text
    return client


def _post(client, url: str, **fields: str):  # noqa: ANN001, ANN202
    return client.post(url, data={"csrf_token": csrf_of(client), **fields})


def _create(client) -> str:  # noqa: ANN001
    """Preview, then send the preview's own form: the new run's id."""
    preview = client.get("/payment-runs/preview")
    assert preview.status_code == 200, preview.text
    key = re.search(r'name="run_key" value="([^"]+)"', preview.text).group(1)
    created = _post(client, "/payment-runs", run_key=key, run_date="", same_day="")
    assert created.status_code == 303, created.text
    return re.fullmatch(r"/payment-runs/(run_\w+)\?done=created", created.headers["location"]).group(1)


def test_a_treasurer_previews_releases_and_submits_the_run_a_clerk_created(treasury_web):
    treasurer = _signed_in(treasury_web, "treasurer")
    clerk = _signed_in(treasury_web, "clerk")
    runs_before = treasurer.get("/v1/payment-runs").json()["items"]
    preview = treasurer.get("/payment-runs/preview")
    assert preview.status_code == 200
    page = preview.text
    for vendor in ("Summit Office Supply", "Acme Furniture Co.", "Riverton IT Services LLC"):
        assert vendor in page, vendor
    for number in ("S-1001", "A-2002", "IT-0913"):
        assert f">{number}</a>" in page
    assert "Effective date" in page and "nacha" in page and "Discounts taken" in page and "Interest paid" in page
    # The preview wrote nothing: no run, and a second preview plans the same invoices.
    assert treasurer.get("/v1/payment-runs").json()["items"] == runs_before
    assert treasurer.get("/payment-runs/preview").text.count('href="/invoices/inv_') == page.count('href="/invoices/inv_')

    # Whoever creates a run may not release it: the clerk creates it from the same preview form.
    key = re.search(r'name="run_key" value="([^"]+)"', clerk.get("/payment-runs/preview").text).group(1)
    created = _post(clerk, "/payment-runs", run_key=key)
    run_id = re.fullmatch(r"/payment-runs/(run_\w+)\?done=created", created.headers["location"]).group(1)
    again = _post(clerk, "/payment-runs", run_key=key)  # the same form sent twice: the same run
    assert again.headers["location"] == created.headers["location"]
    api = treasurer.get(f"/v1/payment-runs/{run_id}").json()
    assert api["status"] == "draft" and api["payment_count"] == 3
    run_page = clerk.get(created.headers["location"]).text
    assert "The run is created." in run_page and f"${int(api['total_minor']) / 100:,.2f}" in run_page
    for p in api["payments"]:  # the preview showed what the run pays, to the cent
        assert f"${int(p['amount_minor']) / 100:,.2f}" in page

    assert "Release this run" in treasurer.get(f"/payment-runs/{run_id}").text
    released = _post(treasurer, f"/payment-runs/{run_id}/release")
    assert released.headers["location"] == f"/payment-runs/{run_id}?done=released"
    assert treasurer.get(f"/v1/payment-runs/{run_id}").json()["status"] == "released"
    sent = _post(treasurer, f"/payment-runs/{run_id}/submit")
    assert sent.headers["location"] == f"/payment-runs/{run_id}?done=submitted"
    api = treasurer.get(f"/v1/payment-runs/{run_id}").json()
    assert api["status"] == "sent" and all(p["trace_number"] for p in api["payments"])
    run_page = treasurer.get(sent.headers["location"]).text
    assert "Download the file sent to the bank" in run_page
    for p in api["payments"]:
        assert p["trace_number"] in run_page

    file = treasurer.get(f"/payment-runs/{run_id}/file")
    assert file.status_code == 200 and file.content.startswith(b"101")
    assert f'filename="{api["submission_id"]}.ach"' in file.headers["content-disposition"]
    auditor = _signed_in(treasury_web, "auditor")
    events = auditor.get(f"/v1/audit?action=payment_file_downloaded&object_id={run_id}").json()["items"]
    assert len(events) == 1 and events[0]["detail"]["file"] == f"{api['submission_id']}.ach"
    assert auditor.get(f"/payment-runs/{run_id}/file").status_code == 403  # read-only roles never get the numbers
    assert "Download the file sent" not in auditor.get(f"/payment-runs/{run_id}").text

    payment = api["payments"][0]
    shown = treasurer.get(f"/payments/{payment['id']}").text
    assert payment["trace_number"] in shown and payment["id"] in shown and "Remittance advice" in shown
    assert re.search(r"\*\*\*\*\d{4}", shown) and f'href="/payment-runs/{run_id}"' in shown
    pdf = treasurer.get(f"/payments/{payment['id']}/remittance.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_run_above_the_threshold_needs_a_second_treasurer(treasury_world):
    world = treasury_world("[approvals]\nrun_dual_release_threshold = \"1000.00\"\n")
    People(world.c).add("treasurer2", Role.TREASURER, password="second treasurer's password")
    first = _signed_in(world, "treasurer")
    run_id = _create(_signed_in(world, "clerk"))
    assert treasury_text(first, run_id).count("1 of 2") == 0 and "0 of 2" in treasury_text(first, run_id)
    added = _post(first, f"/payment-runs/{run_id}/release")
    assert added.headers["location"].endswith("?done=release_added")
    page = first.get(added.headers["location"]).text
    assert "needs another treasurer" in page and "Release this run" not in page and "1 of 2" in page
    refused = _post(first, f"/payment-runs/{run_id}/release")  # the same treasurer again: the service refuses
    assert refused.status_code in (403, 409) and "Nothing was changed." in refused.text
    second = _signed_in(world, "treasurer2", "second treasurer's password")
    assert _post(second, f"/payment-runs/{run_id}/release").headers["location"].endswith("?done=released")
    assert second.get(f"/v1/payment-runs/{run_id}").json()["status"] == "released"


def treasury_text(client, run_id: str) -> str:  # noqa: ANN001
    return client.get(f"/payment-runs/{run_id}").text


def test_a_run_is_cancelled_with_a_reason_and_its_invoices_are_free_again(treasury_web):
    treasurer = _signed_in(treasury_web, "treasurer")
    run_id = _create(treasurer)
    assert 'href="/invoices/inv_' not in treasurer.get("/payment-runs/preview").text.split("Left out")[0]
    refused = _post(treasurer, f"/payment-runs/{run_id}/cancel", reason="")
    assert refused.status_code == 400 or refused.status_code == 422
    assert "Nothing was changed." in refused.text
    assert treasurer.get(f"/v1/payment-runs/{run_id}").json()["status"] == "draft"
    done = _post(treasurer, f"/payment-runs/{run_id}/cancel", reason="the wrong day: run it tomorrow")
    assert done.headers["location"] == f"/payment-runs/{run_id}?done=cancelled"
    assert treasurer.get(f"/v1/payment-runs/{run_id}").json()["status"] == "cancelled"
    assert "S-1001" in treasurer.get("/payment-runs/preview").text  # payable again
    auditor = _signed_in(treasury_web, "auditor")
    events = auditor.get(f"/v1/audit?object_id={run_id}").json()["items"]
    assert any("the wrong day" in str(e["detail"]) for e in events)


def test_buttons_show_only_to_those_allowed_and_the_server_checks_again(treasury_web):
    treasurer = _signed_in(treasury_web, "treasurer")
    run_id = _create(treasurer)
    mine = treasurer.get(f"/payment-runs/{run_id}").text  # whoever created it may not release it
    assert "You created this run, so another treasurer must release it." in mine and "Release this run" not in mine
    assert _post(treasurer, f"/payment-runs/{run_id}/release").status_code == 403
    clerk = _signed_in(treasury_web, "clerk")  # may create runs, not release or send them
    page = clerk.get(f"/payment-runs/{run_id}").text
    assert "Release this run" not in page and "Send this run now" not in page and "Cancel run" in page
    refused = _post(clerk, f"/payment-runs/{run_id}/release")
    assert refused.status_code == 403 and "Not allowed" in refused.text
    approver = _signed_in(treasury_web, "approver")  # reads runs, creates none
    assert "Preview the next payment run" not in approver.get("/payment-runs").text
    assert approver.get("/payment-runs/preview").status_code == 403
    assert treasurer.get(f"/v1/payment-runs/{run_id}").json()["status"] == "draft"
    vendor = _signed_in(treasury_web, "summit-office-supply")
    assert vendor.get(f"/payment-runs/{run_id}").status_code == 403


def test_the_list_filters_by_status_pages_by_keyset_and_downloads(treasury_web, monkeypatch):
    import adapters.http.web.run_pages as pages

    treasurer = _signed_in(treasury_web, "treasurer")
    run_id = _create(treasurer)
    drafts = treasurer.get("/payment-runs?status=draft").text
    assert f'href="/payment-runs/{run_id}"' in drafts
    assert f'href="/payment-runs/{run_id}"' not in treasurer.get("/payment-runs?status=sent").text
    assert treasurer.get("/payment-runs?status=nonsense").status_code == 422
    monkeypatch.setattr(pages, "PAGE_SIZE", 1)
    first = treasurer.get("/payment-runs").text
    nxt = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    second = treasurer.get(nxt).text
    ids = re.findall(r'<td><a href="/payment-runs/(run_\w+)">', first + second)
    api = [r["id"] for r in treasurer.get("/v1/payment-runs").json()["items"]]
    assert ids == api and "offset" not in nxt
    rows = list(csv.reader(io.StringIO(treasurer.get("/payment-runs.csv").text)))
    assert rows[0][0] == "run_id" and [r[0] for r in rows[1:]] == api
    book = openpyxl.load_workbook(io.BytesIO(treasurer.get("/payment-runs.xlsx?status=draft").content))
    assert [row[0] for row in book.active.iter_rows(min_row=2, values_only=True)] == [run_id]
