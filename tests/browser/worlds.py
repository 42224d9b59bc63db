"""Servers for browser tests that need a story told first (a run due, a statement with an exception, a bank change
cooling off): ``serve_world(tmp, prepare)`` is the example agency, ``prepare(container)`` run on it, then the real
app under uvicorn; ``new_tab(browser, server)`` a fresh Chromium profile on it with the CSP enforced, as the
``page`` fixture in conftest.py; ``sign_in_as(tab, server, username)`` fills the sign-in form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tests.browser.conftest import WebServer, _missing, _serve, _unavailable, browser_policy

OCTOBER = dt.datetime(2026, 10, 1, 13, tzinfo=dt.timezone.utc)


@contextmanager
def serve_world(tmp, prepare: Callable[[Any], None]) -> Iterator[WebServer]:  # noqa: ANN001
    reason = _missing()
    if reason:
        _unavailable(reason)
    import main
    from adapters.clock import FixedClock
    from tests.conftest import make_settings
    from tests.e2e.people import FAST_HASHER

    container = main.build(make_settings(f"sqlite:///{tmp / 'disburse.db'}", tmp, policy_file=browser_policy(tmp)),
                           migrate=True, clock=FixedClock(OCTOBER), password_hasher=FAST_HASHER)
    main.initialize(container, example=True)
    passwords = {username: password for username, _name, password in container.example_sign_ins}
    prepare(container)
    server, thread, url = _serve(main.create_app(container))
    try:
        yield WebServer(url, container, passwords)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        container.engine.dispose()


@contextmanager
def new_tab(browser, server: WebServer) -> Iterator[Any]:  # noqa: ANN001
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 800}, locale="en-US",
                                  accept_downloads=True)
    tab = context.new_page()
    violations: list[str] = []
    tab.on("console", lambda msg: violations.append(msg.text)
           if msg.type == "error" and "Content Security Policy" in msg.text else None)
    try:
        yield tab
    finally:
        context.close()
    assert violations == [], "the page broke its Content-Security-Policy:\n" + "\n".join(violations)


def sign_in_as(tab, server: WebServer, username: str, password: str | None = None) -> None:  # noqa: ANN001
    tab.goto("/sign-in")
    tab.get_by_label("Username").fill(username)
    tab.get_by_label("Password").fill(password or server.passwords[username])
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(server.url + "/")
