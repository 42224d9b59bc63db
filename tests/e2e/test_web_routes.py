"""Generated from the app's route table, so that every page added later is held to the same rules:

* every page declares the action it performs (``page(Action.X)``) or is one of the few public ones;
* every role, on every page: shown exactly when the authorization table allows it, else the 403 page; signed out,
  the page sends the browser to sign in and back;
* every page that takes a POST refuses a signed-in browser's form that lacks the session's CSRF token.

The same checks run on three worked-example pages mounted beside the real ones, so that they are seen to fail
what they should even before the pages they are written for exist.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.testclient import TestClient
from starlette.responses import Response

from adapters.http.web.pages import redirect, render, web_router
from adapters.http.web.viewer import Viewer, page
from payments.identity import Action, Role, is_allowed
from tests.e2e.people import People, sqlite_stack  # noqa: F401
from tests.e2e.routes import web_routes
from tests.e2e.web import web_sign_in

# A public page needs no credentials: keep this list short, and say why each is on it.
WEB_PUBLIC = {
    "GET /",  # the landing page signed out; what needs me today signed in
    "GET /sign-in", "POST /sign-in",  # how one gets a session (the form has its own token)
    "POST /sign-out",  # checks the session's CSRF token itself; without a session there is nothing to end
    "GET /language/{code}",  # a preference cookie, then back to the page
    # Where the money goes: the open checkbook's own rows, redacted as published, for anyone (spending_pages.py)
    "GET /spending", "GET /spending/payments", "GET /spending/payments.{fmt}", "GET /spending/totals.{fmt}",
    "GET /spending/payments/{payment_id}", "GET /spending/open-data/{name}",
    "GET /spending/shares.{fmt}",  # the certified, local and on-time shares: totals only, no vendor named
}
PASSWORD = "correct horse battery staple"


def _app(stack, *, examples: bool = False):  # noqa: ANN001, ANN202
    import main

    app = main.create_app(stack)
    if examples:
        app.include_router(_example_pages())
    return app


def _example_pages():  # noqa: ANN202
    router = web_router()

    @router.get("/example/audit-trail")
    def audit_trail(request: Request, viewer: Viewer = page(Action.AUDIT_READ)) -> Response:
        return render(request, "home.html", queue=[])

    @router.post("/example/audit-trail")
    def add_note(request: Request, viewer: Viewer = page(Action.AUDIT_READ)) -> Response:
        return redirect("/example/audit-trail")

    @router.get("/example/invoices/{invoice_id}")
    def invoice(request: Request, invoice_id: str, viewer: Viewer = page(Action.INVOICE_READ)) -> Response:
        return render(request, "home.html", queue=[], invoice=request.app.state.ap.invoices.view(invoice_id))

    return router


def _client(app) -> TestClient:  # noqa: ANN001
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


def _check(stack, app) -> list[str]:  # noqa: ANN001
    """Every rule above, on every page of ``app``; the list of what is wrong."""
    routes = web_routes(app)
    wrong = [f"{r}: declares no page(Action.X) nor public()" for r in routes if r.action is None]
    wrong += [f"{r}: public but not in WEB_PUBLIC" for r in routes if r.action == "public" and str(r) not in WEB_PUBLIC]
    people = People(stack)
    for role in Role:
        people.add(f"web-{role.value.replace('_', '-')}", role, password=PASSWORD,
                   vendor_id="ven_WEB" if role is Role.VENDOR else None)
    with _client(app) as anonymous:
        for route in (r for r in routes if isinstance(r.action, Action)):
            answer = anonymous.request(route.method, route.url())
            if answer.status_code != 303 or not answer.headers["location"].startswith("/sign-in?next="):
                wrong.append(f"{route} signed out: {answer.status_code} {answer.headers.get('location')}")
    for role in Role:
        with _client(app) as browser:
            web_sign_in(browser, f"web-{role.value.replace('_', '-')}", PASSWORD)
            for route in (r for r in routes if isinstance(r.action, Action)):
                allowed = is_allowed(role, route.action)
                if route.method == "GET":
                    answer = browser.get(route.url())
                    shown = answer.status_code in (200, 404)
                    refused = answer.status_code == 403 and "Not allowed" in answer.text
                    if (shown, refused) != (allowed, not allowed):
                        wrong.append(f"{route} as {role.value}: {answer.status_code}")
                elif allowed:
                    answer = browser.request(route.method, route.url(), data={"csrf_token": "forged"})
                    if answer.status_code != 403 or "This form has expired" not in answer.text:
                        wrong.append(f"{route} as {role.value} without CSRF: {answer.status_code}")
    return wrong


def test_every_page_is_held_to_the_route_rules(sqlite_stack):
    app = _app(sqlite_stack)
    assert {str(r) for r in web_routes(app) if r.action == "public"} <= WEB_PUBLIC
    assert _check(sqlite_stack, app) == []


def test_the_rules_are_seen_to_hold_on_worked_example_pages(sqlite_stack):
    app = _app(sqlite_stack, examples=True)
    assert _check(sqlite_stack, app) == []
    with _client(app) as auditor:
        web_sign_in(auditor, "web-auditor", PASSWORD)
        shown = auditor.get("/example/audit-trail")
        assert shown.status_code == 200 and "Signed in as web-auditor" in shown.text
        posted = auditor.post("/example/audit-trail", data={"csrf_token": auditor.cookies["disburse_csrf"]})
        assert (posted.status_code, posted.headers["location"]) == (303, "/example/audit-trail")
        upload = {"file": ("statement.bai", b"01,...", "text/plain")}  # an upload form posts multipart
        uploaded = auditor.post("/example/audit-trail", data={"csrf_token": auditor.cookies["disburse_csrf"]},
                                files=upload)
        assert uploaded.status_code == 303
        assert auditor.post("/example/audit-trail", data={"csrf_token": "forged"}, files=upload).status_code == 403
        missing = auditor.get("/example/invoices/inv_nothing")  # the service's NotFound, as a page
        assert missing.status_code == 404 and "Page not found" in missing.text
        assert "content-security-policy" in missing.headers
    with _client(app) as clerk:
        web_sign_in(clerk, "web-ap-clerk", PASSWORD)
        refused = clerk.get("/example/audit-trail")
        assert refused.status_code == 403 and "Not allowed" in refused.text
    with _client(app) as ended:
        ended.cookies.set("disburse_session", "a-session-that-ended")
        answer = ended.get("/example/audit-trail?page=2")
        assert answer.headers["location"] == "/sign-in?next=%2Fexample%2Faudit-trail%3Fpage%3D2&ended=1"


def test_a_page_the_rules_would_miss_is_caught(sqlite_stack):
    """The checker itself: a page that declares no action, and a public page nobody listed, are named."""
    from adapters.http.auth import public

    app = _app(sqlite_stack)
    router = web_router()

    @router.get("/example/undeclared")
    def undeclared(request: Request) -> Response:
        return render(request, "home.html", queue=[])

    @router.get("/example/open")
    def wide_open(request: Request, _: None = public()) -> Response:
        return render(request, "home.html", queue=[])

    app.include_router(router)
    wrong = _check(sqlite_stack, app)
    assert "GET /example/undeclared: declares no page(Action.X) nor public()" in wrong
    assert "GET /example/open: public but not in WEB_PUBLIC" in wrong
