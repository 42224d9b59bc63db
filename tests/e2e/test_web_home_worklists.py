"""The staff home page's worklists over HTTP: holds by kind with their counts and the oldest one's age, the
invoices awaiting this approver (not those they entered or already approved), and the interest late invoices
would carry if paid today — each agreeing with the API or a worked example, and linking to the filtered list."""

from __future__ import annotations

import re

from tests.e2e.web import _riverton_template, riverton_web, web_sign_in  # noqa: F401


def _signed_in(riverton_web, username: str):  # noqa: ANN001, ANN202
    client = riverton_web.client()
    web_sign_in(client, username, riverton_web.passwords[username])
    return client


def test_holds_by_kind_count_the_open_holds_and_link_to_the_filtered_list(riverton_web):
    riverton_web.c.clock.advance(days=3)
    clerk = _signed_in(riverton_web, "clerk")
    home = clerk.get("/").text
    rows = dict((hold, (int(n), int(age))) for hold, n, age in re.findall(
        r'<a href="/invoices\?hold=(\w+)">[^<]+</a></th>\s*<td class="num">(\d+)</td><td class="num">(\d+)</td>', home))
    api: dict[str, set[str]] = {}
    for inv in clerk.get("/v1/invoices?status=held&limit=100").json()["items"]:
        for hold in clerk.get(f"/v1/invoices/{inv['id']}/holds?status=open").json()["items"]:
            api.setdefault(hold["hold"], set()).add(inv["id"])
    assert {k: v[0] for k, v in rows.items()} == {k: len(v) for k, v in api.items()}
    assert {age for _n, age in rows.values()} == {3}  # raised when the example was loaded, three days ago
    listed = clerk.get("/invoices?hold=qty_received").text
    assert len(re.findall(r'<td><a href="/invoices/inv_', listed)) == rows["qty_received"][0]


def test_awaiting_my_approval_leaves_out_what_i_entered_or_already_approved(riverton_web):
    approver = _signed_in(riverton_web, "approver")
    matched = approver.get("/v1/invoices?status=matched&limit=100").json()["items"]
    home = approver.get("/").text
    count = re.search(r'href="/invoices\?mine=1">\s*<span class="queue__count">(\d+)</span>', home).group(1)
    assert int(count) == len(matched)
    clerk = _signed_in(riverton_web, "clerk")
    assert "Invoices awaiting my approval" not in clerk.get("/").text  # a clerk approves nothing
    assert "Awaiting my approval" not in clerk.get("/invoices").text


def test_interest_on_late_invoices_is_what_the_portal_says_the_vendor_is_owed(riverton_web):
    clerk = _signed_in(riverton_web, "clerk")
    assert "No invoice is past its due date." in clerk.get("/").text
    riverton_web.c.clock.advance(days=20)  # S-1001, approved and due 2026-11-05, is now late and unpaid
    clerk = _signed_in(riverton_web, "clerk")  # the first session has ended meanwhile
    home = clerk.get("/").text
    assert 'href="/invoices?late=1&amp;sort=due"' in home
    assert "Invoices past their due date and unpaid: 1" in home
    shown = re.search(r"they would carry (\$[\d,.]+) of interest", home).group(1)
    # 5 CFR 1315.10: $3,905.00 at the Treasury rate in force on the due date (4.5 % from 2026-07-01), daily on a
    # 360-day year, for the 17 days from 2026-11-05 to 2026-11-22: 3905.00 x 0.045 x 17 / 360 = 8.298 -> $8.30.
    assert shown == "$8.30"
    late = clerk.get("/invoices?late=1&sort=due").text
    assert re.findall(r'<td><a href="/invoices/inv_\w+">([^<]+)</a></td>', late) == ["S-1001"]
