"""The pages over plain HTTP: the security headers on every page, the sign-in form (POST-redirect-GET, the same
session cookies as the API's sign-in, its own form token), sign-out that needs the session's CSRF token, the
language switch, and each role's home page agreeing with what the API lists."""

from __future__ import annotations

import re

from adapters.http.web.pages import static_url
from tests.e2e.web import _riverton_template, csrf_of, form_token, riverton_web, tampered, web_sign_in  # noqa: F401

HTML_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


def _headers_ok(response) -> None:  # noqa: ANN001
    for name, value in HTML_HEADERS.items():
        assert response.headers.get(name) == value, (response.request.url, name, response.headers.get(name))


def test_every_page_and_redirect_carries_the_strict_csp_and_security_headers(riverton_web):
    client = riverton_web.client()
    answers = [client.get("/"), client.get("/sign-in"), client.get("/language/es?next=/"),
               client.get("/language/xx"), client.post("/sign-out")]
    web_sign_in(client, "clerk", riverton_web.passwords["clerk"])
    answers += [client.get("/"), client.post("/sign-out", data={"csrf_token": "forged"})]
    for response in answers:
        _headers_ok(response)
        if response.status_code < 300 or response.status_code >= 400:
            assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert [r.status_code for r in answers] == [200, 200, 303, 404, 303, 200, 403]
    assert "unsafe-inline" not in HTML_HEADERS["content-security-policy"]
    # The JSON API keeps its own answers (its /docs page loads Swagger's script, which this policy would block).
    assert "content-security-policy" not in client.get("/healthz").headers


def test_static_files_come_from_the_package_typed_strictly_and_cached_by_content(riverton_web):
    client = riverton_web.client()
    css = client.get(static_url("web.css"))
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert css.headers["x-content-type-options"] == "nosniff"
    assert css.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert client.get("/static/web.css").headers["cache-control"] == "no-cache"  # no hash: always revalidate
    assert client.get(static_url("session.js")).headers["content-type"].startswith("text/javascript")
    page = client.get("/sign-in").text
    assert static_url("web.css") in page and "https://" not in page.split("<body")[0]  # nothing from a CDN


def test_signing_in_by_the_form_redirects_and_sets_the_api_session_cookies(riverton_web):
    client = riverton_web.client()
    signed_in = web_sign_in(client, "treasurer", riverton_web.passwords["treasurer"], next="/?from=mail")
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/?from=mail"
    cookies = [v for k, v in signed_in.headers.multi_items() if k == "set-cookie"]
    session = next(c for c in cookies if c.startswith("disburse_session="))
    for attribute in ("HttpOnly", "Secure", "SameSite=lax", "Path=/"):
        assert attribute.lower() in session.lower()
    home = client.get("/")
    assert "Signed in as Taylor Treasurer (treasurer)" in home.text
    assert "Session ends at 10:00\u202fPM" in home.text  # 15:00 UTC + 12 h, in New York
    assert client.get("/v1/payment-runs").status_code == 200  # the same session works on the API
    assert client.get("/sign-in?next=/elsewhere").headers["location"] == "/elsewhere"  # already signed in


def test_next_never_leads_off_the_site(riverton_web):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "x"):
        client = riverton_web.client()
        answer = web_sign_in(client, "clerk", riverton_web.passwords["clerk"], next=target)
        assert answer.headers["location"] == "/", target
        assert client.get(f"/language/es?next={target}").headers["location"] == "/"


def test_the_sign_in_form_without_its_own_token_signs_nobody_in(riverton_web):
    client = riverton_web.client()
    form_token(client)  # the cookie half is set; the form half is missing or forged below
    for token in (None, "forged.token", tampered(form_token(client))):
        data = {"username": "clerk", "password": riverton_web.passwords["clerk"]}
        answer = client.post("/sign-in", data=data if token is None else {**data, "form_token": token})
        assert answer.status_code == 400 and "The sign-in form expired" in answer.text
        assert "disburse_session" not in answer.headers.get("set-cookie", "")


def test_a_wrong_password_comes_back_as_the_form_with_one_answer_and_locks_after_five(riverton_web):
    client = riverton_web.client()
    wrong = web_sign_in(client, "clerk", "not the password!")
    unknown = web_sign_in(client, "nobody-here", "not the password!")
    assert wrong.status_code == unknown.status_code == 401
    assert 'role="alert"' in wrong.text and 'href="#username"' in wrong.text
    assert re.sub(r'value="[^"]*"', "", wrong.text.replace("clerk", "nobody-here")) == \
        re.sub(r'value="[^"]*"', "", unknown.text)  # nothing tells a real username from a made-up one
    for _ in range(4):
        web_sign_in(client, "clerk", "still not it!")
    locked = web_sign_in(client, "clerk", riverton_web.passwords["clerk"])
    assert locked.status_code == 401  # the service's lock-out holds for the form too
    empty = web_sign_in(client, "", "")
    assert empty.status_code == 422 and "Enter your username." in empty.text
    assert empty.text.count('aria-invalid="true"') == 2  # both fields, each tied to its message


def test_sign_out_needs_the_sessions_csrf_token_and_ends_the_session_on_the_server(riverton_web):
    client = riverton_web.client()
    web_sign_in(client, "auditor", riverton_web.passwords["auditor"])
    kept = client.cookies["disburse_session"]
    forged = client.post("/sign-out", data={"csrf_token": tampered(csrf_of(client))})
    assert forged.status_code == 403 and "This form has expired" in forged.text
    assert client.post("/sign-out").status_code == 403  # no token at all
    assert "Signed in as" in client.get("/").text  # still signed in
    out = client.post("/sign-out", data={"csrf_token": csrf_of(client)})
    assert out.status_code == 303 and out.headers["location"] == "/sign-in?signed_out=1"
    assert "You have signed out." in client.get(out.headers["location"]).text
    client.cookies.set("disburse_session", kept)  # a copy kept by whoever took it
    assert "Signed in as" not in client.get("/").text
    assert client.get("/v1/payment-runs").status_code == 401


def test_the_language_switch_remembers_spanish_and_the_browser_language_is_a_default(riverton_web):
    client = riverton_web.client()
    switched = client.get("/language/es?next=/sign-in%3Fnext%3D/")
    assert switched.status_code == 303 and switched.headers["location"] == "/sign-in?next=/"
    assert "disburse_lang=es" in switched.headers["set-cookie"]
    page = client.get("/sign-in")
    assert '<html lang="es">' in page.text and "<h1>Iniciar sesión</h1>" in page.text
    assert 'href="/language/en?next=/sign-in"' in page.text  # the switch back, on every page
    english = riverton_web.client()
    assert '<html lang="en">' in english.get("/").text
    mexico = english.get("/", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert '<html lang="es">' in mexico.text and "Iniciar sesión" in mexico.text
    assert '<html lang="en">' in english.get("/", headers={"Accept-Language": "fr-FR"}).text
    assert client.get("/language/fr").status_code == 404


def _queue(html: str) -> dict[str, str]:
    items = re.findall(r'<span class="queue__count">([^<]+)</span>\s*<span class="queue__label">([^<]+)</span>', html)
    return {label: count for count, label in items}


def test_each_roles_home_shows_its_own_queue_with_the_counts_the_api_lists(riverton_web):
    clerk = riverton_web.client()
    web_sign_in(clerk, "clerk", riverton_web.passwords["clerk"])
    queue = _queue(clerk.get("/").text)
    assert set(queue) == {"Invoices entered, not yet matched", "Invoices on hold"}
    for status, label in (("held", "Invoices on hold"), ("entered", "Invoices entered, not yet matched")):
        listed = clerk.get(f"/v1/invoices?status={status}&limit=100").json()["items"]
        assert queue[label] == str(len(listed))
    assert int(queue["Invoices on hold"]) > 0  # the example agency has held invoices to show

    treasurer = riverton_web.client()
    web_sign_in(treasurer, "treasurer", riverton_web.passwords["treasurer"])
    assert set(_queue(treasurer.get("/").text)) == {
        "Payment runs awaiting release", "Released payment runs not yet sent", "Reconciliation exceptions open",
        "Bank-account changes awaiting approval"}

    vendor = riverton_web.client()
    web_sign_in(vendor, "acme-furniture-co", riverton_web.passwords["acme-furniture-co"])
    mine = _queue(vendor.get("/").text)
    assert set(mine) == {"Your invoices on hold", "Your invoices waiting to be paid", "Your invoices paid"}
    portal = vendor.get("/v1/portal/invoices?limit=100").json()["items"]
    assert mine["Your invoices on hold"] == str(sum(i["status"] == "held" for i in portal))

    auditor = riverton_web.client()
    web_sign_in(auditor, "auditor", riverton_web.passwords["auditor"])
    assert "Nothing is waiting for you." in auditor.get("/").text


def test_signed_out_the_home_page_is_a_landing_page_with_the_way_in(riverton_web):
    client = riverton_web.client()
    landing = client.get("/")
    assert landing.status_code == 200 and 'href="/sign-in"' in landing.text and "queue__count" not in landing.text
    client.cookies.set("disburse_session", "an-ended-session")
    assert "Your session has ended." in client.get("/").text
