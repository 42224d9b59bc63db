"""The payment-run pages in Chromium on the morning a run is due (``tests/e2e/treasury_world.py``): a treasurer
previews the run, and, once a clerk has created it, releases it and sends it, by keyboard alone; the run list, the
preview, the run (draft, with its cancel form's error, and sent) and a payment with its remittance pass axe at
desktop, 200 % zoom and 320 px."""

from __future__ import annotations

import re

import pytest

from tests.browser.axe import check_page
from tests.browser.test_sign_in_pages import _tab_to
from tests.browser.worlds import new_tab, serve_world, sign_in_as


@pytest.fixture(scope="module")
def run_day(tmp_path_factory):  # noqa: ANN001, ANN201
    from tests.e2e.treasury_world import payable_agency

    with serve_world(tmp_path_factory.mktemp("run-day"), payable_agency) as server:
        yield server


def _create_as_clerk(browser, server) -> str:  # noqa: ANN001
    with new_tab(browser, server) as tab:
        sign_in_as(tab, server, "clerk")
        tab.goto("/payment-runs/preview")
        tab.get_by_role("button", name="Create this payment run").click()
        tab.wait_for_url(re.compile(r"/payment-runs/run_\w+\?done=created$"))
        return tab.url.split("/payment-runs/")[1].split("?")[0]


def test_journey_by_keyboard_a_treasurer_previews_releases_and_submits_a_run(browser, run_day):
    with new_tab(browser, run_day) as tab:
        sign_in_as(tab, run_day, "treasurer")
        tab.goto("/payment-runs")
        check_page(tab, "payment-runs")
        _tab_to(tab, lambda f: f["tag"] == "A" and f["text"] == "Preview the next payment run", limit=30)
        tab.keyboard.press("Enter")
        tab.wait_for_url("**/payment-runs/preview")
        main = tab.locator("main").inner_text()
        assert "Summit Office Supply" in main and "IT-0913" in main and "Interest paid" in main
        check_page(tab, "payment-run-preview")
    run_id = _create_as_clerk(browser, run_day)
    with new_tab(browser, run_day) as tab:
        sign_in_as(tab, run_day, "treasurer")
        _tab_to(tab, lambda f: f["tag"] == "A" and "Payment runs awaiting release" in f["text"], limit=30)
        tab.keyboard.press("Enter")
        tab.wait_for_url("**/payment-runs?status=draft")
        _tab_to(tab, lambda f: f["tag"] == "A" and f["text"] == run_id, limit=40)
        tab.keyboard.press("Enter")
        tab.wait_for_url(f"**/payment-runs/{run_id}")
        check_page(tab, "payment-run-draft")
        _tab_to(tab, lambda f: f["tag"] == "BUTTON" and f["text"] == "Release this run", limit=40)
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(r"\?done=released$"))
        assert tab.get_by_role("status").filter(has_text="The run is released.").is_visible()
        _tab_to(tab, lambda f: f["tag"] == "BUTTON" and f["text"] == "Send this run now", limit=40)
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(r"\?done=submitted$"))
        assert "Sent" in tab.locator("dl").inner_text()
        assert tab.get_by_role("link", name="Download the file sent to the bank").is_visible()
        with tab.expect_download() as download:
            _tab_to(tab, lambda f: f["tag"] == "A" and f["text"] == "Download the file sent to the bank", limit=40)
            tab.keyboard.press("Enter")
        assert download.value.suggested_filename.endswith(".ach")
        check_page(tab, "payment-run-sent")
        _tab_to(tab, lambda f: f["tag"] == "A" and f["text"] == "Summit Office Supply", limit=60)
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(r"/payments/pay_\w+$"))
        assert re.search(r"\d{15}", tab.locator("dl").inner_text())  # the trace number
        check_page(tab, "payment")
        tab.emulate_media(media="print")
        assert not tab.get_by_role("navigation", name="Main").is_visible()
        tab.emulate_media(media="screen")


@pytest.fixture(scope="module")
def another_run_day(tmp_path_factory):  # noqa: ANN001, ANN201
    """The same morning on its own server, so that what the journey pays does not decide what this test sees."""
    from tests.e2e.treasury_world import payable_agency

    with serve_world(tmp_path_factory.mktemp("run-day-2"), payable_agency) as server:
        yield server


def test_the_cancel_form_and_its_refusal_pass_axe(browser, another_run_day):
    with new_tab(browser, another_run_day) as tab:
        sign_in_as(tab, another_run_day, "treasurer")
        tab.goto("/payment-runs/preview")
        tab.get_by_role("button", name="Create this payment run").click()
        tab.wait_for_url(re.compile(r"\?done=created$"))
        tab.locator("#reason").fill("   ")
        tab.get_by_role("button", name="Cancel run").click()
        assert "Nothing was changed." in tab.get_by_role("alert").inner_text()
        check_page(tab, "payment-run-cancel-refused")
        tab.locator("#reason").fill("planned for the wrong day")
        tab.get_by_role("button", name="Cancel run").click()
        tab.wait_for_url(re.compile(r"\?done=cancelled$"))
        assert "Cancelled" in tab.locator("dl").inner_text()
