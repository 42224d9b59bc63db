"""The assist signals' review queue as a page, on the queue's worked example (tests/e2e/test_signal_queue.py: in
October 2026 Acme's A-1 and B-1 are a split purchase, Beta's R-7 of $24,500 is just under the $25,000 threshold,
and Beta and Gamma both number an invoice R-7). An auditor reads; an approver dismisses with a reason."""

from __future__ import annotations

import re

from tests.e2e.conftest import as_role
from tests.e2e.test_signal_queue import APPROVER, AUDITOR, OCTOBER, _october


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]*)"', page).group(1)  # type: ignore[union-attr]


def test_the_queue_page_lists_each_signal_and_an_approver_dismisses_one_with_a_reason(api, container):
    ids = _october(container)
    seen = api.get("/reports/signals", params=OCTOBER, headers=AUDITOR)
    assert seen.status_code == 200, seen.text
    text = seen.text
    assert "<caption>Signals in the period</caption>" in text and text.count('<tr>\n    <th scope="row">') == 5
    assert "Just under an approval threshold" in text and "Split purchase" in text
    assert "Invoice R-7 of 24,500.00 USD is just under the approval threshold of 25,000.00 USD." in text
    assert f'href="/invoices/{ids["beta_r7"]}"' in text
    assert "Dismiss this signal" not in text and "An approver may dismiss it." in text  # auditors read only

    queue = api.get("/v1/reports/signals", params=OCTOBER, headers=AUDITOR).json()["items"]
    under = next(i for i in queue if i["signal"] == "just_under_threshold")
    mine = api.get("/reports/signals", params=OCTOBER, headers=APPROVER).text
    assert f'action="/reports/signals/{under["key"]}/dismiss"' in mine
    url = f"/reports/signals/{under['key']}/dismiss"
    form = {"date": under["date"], **OCTOBER, "csrf_token": _csrf(mine)}
    # No reason: the queue again, the service's words, nothing written.
    refused = api.post(url, data={**form, "reason": "  "}, headers=APPROVER, follow_redirects=False)
    assert refused.status_code == 422 and "That was not done" in refused.text and 'aria-invalid="true"' in refused.text
    assert container.audit.search(action="assist_signal_dismissed") == []
    # The server checks who asks, not only the hidden form: an auditor's POST is refused.
    assert api.post(url, data={**form, "reason": "fine"}, headers=AUDITOR).status_code == 403
    gone = api.post(url.replace(under["key"], "0" * 32), data={**form, "reason": "fine"}, headers=APPROVER)
    assert gone.status_code == 404 and "reload the queue" in gone.text

    done = api.post(url, data={**form, "reason": "Beta's paving contract price, quoted in May"}, headers=APPROVER,
                    follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("done=dismissed")
    (event,) = container.audit.search(action="assist_signal_dismissed")
    assert (event.actor, event.detail["reason"]) == ("usr_amy", "Beta's paving contract price, quoted in May")
    after = api.get(done.headers["location"], headers=APPROVER).text
    assert "Dismissed with your reason." in after and "Just under an approval threshold" not in after
    assert "Dismissed in this period and not shown: 1." in after
    shown = api.get("/reports/signals", params={**OCTOBER, "include_dismissed": "1"}, headers=AUDITOR).text
    assert "Dismissed by usr_amy: Beta&#39;s paving contract price, quoted in May" in shown

    vendor = {"Authorization": f"Bearer test:vendor:usr_v:{ids['Beta Paving']}"}
    assert api.get("/reports/signals", params=OCTOBER, headers=vendor).status_code == 403
    assert api.get("/reports/signals", params={"from": "2026-10-31", "to": "2026-10-01"},
                   headers=as_role("auditor")).status_code == 422
