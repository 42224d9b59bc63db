"""The vendor portal in Chromium, after the demo's story: a vendor signs in, finds its invoice paid with the trace
number, opens the remittance and downloads it as a PDF, by keyboard alone; from the remittance it reaches the proof
that the payment is in the signed journal and downloads it, by keyboard, and the JavaScript verifier accepts the
file; another vendor's invoice address is the same not-found page as a missing one; every portal page passes axe
at desktop, 200 % zoom and 320 px, in English and Spanish."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from tests.browser.axe import check_page
from tests.browser.conftest import WebServer, _missing, _serve, _unavailable
from tests.browser.test_sign_in_pages import _tab_to


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):  # noqa: ANN001, ANN201
    reason = _missing()
    if reason:
        _unavailable(reason)
    import main
    from adapters.clock import FixedClock
    from payments.example.demo import run_demo
    from tests.conftest import make_settings
    from tests.e2e.people import FAST_HASHER

    tmp = tmp_path_factory.mktemp("portal-browser")
    container = main.build(make_settings(f"sqlite:///{tmp / 'disburse.db'}", tmp), migrate=True,
                           clock=FixedClock(dt.datetime(2026, 10, 1, 13, tzinfo=dt.timezone.utc)),
                           password_hasher=FAST_HASHER)
    main.initialize(container, example=True)
    run_demo(main.demo_services(container), say=lambda _line: None)
    passwords = {username: password for username, _name, password in container.example_sign_ins}
    server, thread, url = _serve(main.create_app(container))
    yield WebServer(url, container, passwords)
    server.should_exit = True
    thread.join(timeout=10)
    container.engine.dispose()


@pytest.fixture
def tab(browser, demo_server):  # noqa: ANN001, ANN201
    context = browser.new_context(base_url=demo_server.url, viewport={"width": 1280, "height": 800},
                                  locale="en-US", accept_downloads=True)
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text else None)
    yield page
    context.close()
    assert violations == [], violations


def _sign_in(tab, server, username: str) -> None:  # noqa: ANN001
    tab.goto("/sign-in")
    tab.get_by_label("Username").fill(username)
    tab.get_by_label("Password").fill(server.passwords[username])
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(server.url + "/")


def test_journey_a_vendor_sees_paid_with_the_trace_number_and_downloads_the_remittance(tab, demo_server):
    _sign_in(tab, demo_server, "summit-office-supply")
    _tab_to(tab, lambda f: f["tag"] == "A" and f["text"] == "My invoices", limit=20)
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/portal/invoices")
    check_page(tab, "portal-invoices")
    _tab_to(tab, lambda f: f["tag"] == "A" and f["text"] == "S-1001", limit=30)
    tab.keyboard.press("Enter")
    tab.wait_for_url(re.compile(r"/portal/invoices/inv_\w+$"))
    timeline = tab.locator("ol.timeline").inner_text()
    trace = re.search(r"trace number (\d{15})", timeline).group(1)
    assert "Paid" in tab.locator("dl").inner_text()
    check_page(tab, "portal-invoice-paid")
    _tab_to(tab, lambda f: f["tag"] == "A" and f["text"].startswith("Payment of "), limit=30)
    tab.keyboard.press("Enter")
    tab.wait_for_url(re.compile(r"/portal/payments/pay_\w+$"))
    assert trace in tab.locator("dl").inner_text()
    check_page(tab, "portal-remittance")
    _tab_to(tab, lambda f: f["tag"] == "A" and f["text"] == "Download the remittance advice (PDF)", limit=30)
    with tab.expect_download() as download:
        tab.keyboard.press("Enter")
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".pdf") and open(path, "rb").read(5) == b"%PDF-"
    tab.emulate_media(media="print")  # the printed advice: the content alone, no menus or forms
    assert tab.locator("nav.main-nav").is_hidden() and tab.get_by_role("table").is_visible()
    tab.emulate_media(media="screen")


def test_another_vendors_invoice_is_the_same_not_found_as_a_missing_one(tab, demo_server):
    _sign_in(tab, demo_server, "summit-office-supply")
    tab.goto("/portal/invoices")
    theirs = tab.get_by_role("link", name="S-1001", exact=True).get_attribute("href")
    tab.context.clear_cookies()
    _sign_in(tab, demo_server, "acme-furniture-co")
    answer = tab.goto(theirs)
    assert answer.status == 404
    seen = tab.locator("main").inner_text()
    missing = tab.goto("/portal/invoices/inv_01ZZZZZZZZZZZZZZZZZZZZZZZZ")
    assert missing.status == 404 and tab.locator("main").inner_text() == seen
    assert "S-1001" not in tab.content()
    check_page(tab, "portal-not-found")


def test_the_portal_pages_in_spanish_and_the_bank_change_form_pass_axe(tab, demo_server):
    _sign_in(tab, demo_server, "summit-office-supply")
    tab.get_by_role("link", name="Español").click()
    tab.goto("/portal/payments")
    assert tab.locator("html").get_attribute("lang") == "es"
    check_page(tab, "portal-payments-es")
    tab.goto("/portal/bank-account")
    tab.get_by_role("button", name="Pedir el cambio").click()
    assert "El cambio no se pidió" in tab.get_by_role("alert").inner_text()
    check_page(tab, "portal-bank-errors-es")


def test_journey_a_vendor_downloads_the_proof_of_its_payment_and_the_verifier_accepts_it(tab, demo_server, tmp_path):
    from tests.unit.ledger.test_js_verifier import run_js

    _sign_in(tab, demo_server, "summit-office-supply")
    tab.goto("/portal/invoices")
    tab.goto(tab.get_by_role("link", name="S-1001", exact=True).get_attribute("href"))
    tab.goto(tab.get_by_role("link", name=re.compile(r"^Payment of ")).get_attribute("href"))
    _tab_to(tab, lambda f: f["tag"] == "A" and f["text"].startswith("Proof that this payment is in our signed"),
            limit=40)
    tab.keyboard.press("Enter")
    tab.wait_for_url(re.compile(r"/portal/payments/pay_\w+/proof$"))
    assert "we have not signed the journal since it was added" in tab.get_by_role("status").last.inner_text()
    check_page(tab, "portal-proof-not-yet")

    demo_server.container.ledger.checkpoint()  # the nightly job
    tab.reload()
    assert tab.get_by_role("heading", name="What it does not prove").is_visible()
    check_page(tab, "portal-proof")
    _tab_to(tab, lambda f: f["tag"] == "A" and f["text"] == "Download the proof (JSON file)", limit=30)
    with tab.expect_download() as download:
        tab.keyboard.press("Enter")
    name = download.value.suggested_filename
    assert re.fullmatch(r"proof-pay_\w+\.json", name)
    download.value.save_as(tmp_path / name)
    key = json.loads((tmp_path / name).read_text())["public_key"]
    assert key in tab.locator("dl").inner_text()  # the key the page shows, to compare with the published one
    code, out, err = run_js("--proof", name, "--public-key", key, "--json", cwd=tmp_path)
    assert code == 0 and json.loads(out)["ok"], err

    tab.get_by_role("link", name="Español").click()
    assert tab.get_by_role("heading", level=1).inner_text() == "Compruebe este pago usted mismo"
    check_page(tab, "portal-proof-es")
