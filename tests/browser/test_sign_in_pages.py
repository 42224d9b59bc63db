"""Signing in and the home page in a real browser: by keyboard alone, with visible focus, and axe-clean at desktop
width and at 320 px, for a signed-out visitor, the sign-in form (also when it comes back with an error), and the
home page of a clerk, a treasurer and a vendor."""

from __future__ import annotations

import datetime as dt

from tests.browser.axe import check_page


def _focused(page) -> dict:  # noqa: ANN001
    return page.evaluate("""() => { const el = document.activeElement; const s = getComputedStyle(el);
        return {tag: el.tagName, id: el.id, text: (el.innerText || el.value || '').trim(),
                outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth)}; }""")


def _tab_to(page, predicate, limit: int = 15) -> dict:  # noqa: ANN001
    """Press Tab until the focused element satisfies ``predicate``; each stop must show a visible focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        assert focused["outline"] != "none" and focused["outlineWidth"] >= 2, f"no visible focus on {focused}"
        if predicate(focused):
            return focused
    raise AssertionError(f"not reached by Tab within {limit} presses; last focus {focused}")


def test_a_clerk_signs_in_and_out_by_keyboard_alone(page, web_server):
    page.goto("/")
    first = _tab_to(page, lambda f: True)
    assert first["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "main"  # the skip link moved focus past the header
    _tab_to(page, lambda f: f["tag"] == "A" and f["text"] == "Sign in")
    page.keyboard.press("Enter")
    page.wait_for_url("**/sign-in")

    _tab_to(page, lambda f: f["id"] == "username")
    page.keyboard.type("clerk")
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "password"
    page.keyboard.type(web_server.passwords["clerk"])
    page.keyboard.press("Enter")
    page.wait_for_url(web_server.url + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "What needs you today"
    assert "Signed in as Casey Clerk (AP clerk)" in page.locator("header").inner_text()
    session = next(c for c in page.context.cookies() if c["name"] == "disburse_session")
    assert session["httpOnly"] and session["secure"] and session["sameSite"] == "Lax"

    _tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Sign out")
    page.keyboard.press("Enter")
    page.wait_for_url("**/sign-in?signed_out=1")
    assert "You have signed out." in page.locator("main").inner_text()
    assert not any(c["name"] == "disburse_session" for c in page.context.cookies())


def test_the_landing_and_sign_in_pages_pass_axe_at_desktop_and_320px(page, web_server):
    page.goto("/")
    check_page(page, "landing")
    page.goto("/sign-in")
    check_page(page, "sign-in")
    page.get_by_label("Username").fill("clerk")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    assert "The username or password is not right" in alert.inner_text()
    assert page.title().startswith("Error: ")
    check_page(page, "sign-in-error")


def test_each_roles_home_passes_axe_at_desktop_and_320px(page, web_server, sign_in):
    for username, card in (("clerk", "Invoices on hold"), ("treasurer", "Payment runs awaiting release"),
                           ("approver", "Invoices ready for approval"),
                           ("acme-furniture-co", "Your invoices waiting to be paid")):
        page.context.clear_cookies()
        sign_in(page, username)
        assert card in page.locator("main").inner_text()
        check_page(page, f"home-{username}")


def test_the_home_page_in_spanish_passes_axe(page, web_server, sign_in):
    sign_in(page, "treasurer")
    page.get_by_role("link", name="Español").click()
    page.wait_for_url(web_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", level=1).inner_text() == "Lo que necesita su atención hoy"
    check_page(page, "home-treasurer-es")


def test_the_session_warning_shows_five_minutes_before_the_session_ends(page, web_server, sign_in):
    sign_in(page, "auditor")
    assert page.locator("#session-warning").is_hidden()
    clock = web_server.clock
    start = clock.now()
    try:
        clock.advance(hours=12, minutes=-4)  # sessions last 12 hours (sign_in.session_hours)
        page.reload()
        warning = page.locator("#session-warning")
        warning.wait_for(state="visible")
        assert "less than five minutes" in warning.inner_text()
        check_page(page, "home-session-warning")
    finally:
        clock.set(start)
