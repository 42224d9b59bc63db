"""Browser tests: the real app under uvicorn on a loopback port, driven by Playwright in Debian's Chromium.

What they need, and what happens without it:

* ``/usr/bin/chromium`` (``apt-get install chromium``; Playwright's own browser download is never used);
* axe-core at ``tests/browser/node_modules/axe-core/axe.min.js`` (``npm ci --prefix tests/browser``);
* the ``playwright`` package (the ``test`` extra).

Where one is missing the tests skip and say which; with ``CI=true`` (``.ci/run``) they fail instead, so a CI run
can never pass without them. ``docs/web.md`` describes the fixtures.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.axe import AXE_FILE

CHROMIUM = Path("/usr/bin/chromium")
# One moment for the whole server: a weekday afternoon in the agency's zone, like tests/conftest.py's clock.
START = dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.timezone.utc)


def _missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is absent (apt-get install chromium)"
    if not AXE_FILE.exists():
        return f"{AXE_FILE} is absent (npm ci --prefix tests/browser)"
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests are mandatory in CI, but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


def pytest_report_header(config):  # noqa: ANN001, ANN201
    reason = _missing()
    return f"browser tests: {'skipped (' + reason + ')' if reason else 'Chromium ' + str(CHROMIUM) + ', axe-core'}"


@dataclass
class WebServer:
    """The running app: ``url``, its ``container`` (services, ``clock``) and the example people's passwords."""

    url: str
    container: object
    passwords: dict[str, str]

    @property
    def clock(self):  # noqa: ANN201
        return self.container.clock


def _serve(app) -> tuple[object, threading.Thread, str]:  # noqa: ANN001
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="web-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{port}"


def browser_policy(where: Path) -> str:
    """The policy of a browser test's server: the default, but for the sign-in rate limit per client address. Every
    browser signs in from 127.0.0.1 and the server's clock stands still, so the default ten a minute would end the
    session's sign-ins after the tenth (the limit has its own tests: tests/e2e/test_sign_in_hardening.py)."""
    path = where / "browser-policy.toml"
    path.write_text("[sign_in]\nattempts_per_minute = 100000\n")
    return str(path)


@pytest.fixture(scope="session")
def web_server(tmp_path_factory):  # noqa: ANN001, ANN201
    """``disburse serve --example`` in a thread: the example agency, its people with the passwords it printed."""
    reason = _missing()
    if reason:
        _unavailable(reason)
    import main
    from adapters.clock import FixedClock
    from tests.conftest import make_settings
    from tests.e2e.people import FAST_HASHER

    tmp = tmp_path_factory.mktemp("web")
    # Plain http on 127.0.0.1, as the README's `disburse serve --example` runs; Chromium keeps Secure cookies
    # for 127.0.0.1 (a potentially trustworthy origin), and the tests check that the cookies it gets are Secure.
    container = main.build(make_settings(f"sqlite:///{tmp / 'disburse.db'}", tmp, policy_file=browser_policy(tmp)),
                           clock=FixedClock(START), migrate=True, password_hasher=FAST_HASHER)
    main.initialize(container, example=True)
    passwords = {username: password for username, _name, password in container.example_sign_ins}
    server, thread, url = _serve(main.create_app(container))
    yield WebServer(url, container, passwords)
    server.should_exit = True
    thread.join(timeout=10)
    container.engine.dispose()


@pytest.fixture(scope="session")
def browser(web_server):  # noqa: ANN001, ANN201
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, web_server):  # noqa: ANN001, ANN201
    """A fresh browser profile (no cookies) at desktop size, the CSP enforced. A page that breaks the CSP (an
    inline script or style, a file from elsewhere) fails the test that loaded it."""
    context = browser.new_context(base_url=web_server.url, viewport={"width": 1280, "height": 800},
                                  locale="en-US")
    tab = context.new_page()
    violations: list[str] = []
    tab.on("console", lambda msg: violations.append(msg.text)
           if msg.type == "error" and "Content Security Policy" in msg.text else None)
    yield tab
    context.close()
    assert violations == [], "the page broke its Content-Security-Policy:\n" + "\n".join(violations)


@pytest.fixture
def sign_in(web_server):  # noqa: ANN001, ANN201
    """``sign_in(page, "clerk")``: the sign-in form filled and sent (by mouse-free Playwright calls)."""

    def go(tab, username: str) -> None:  # noqa: ANN001
        tab.goto("/sign-in")
        tab.get_by_label("Username").fill(username)
        tab.get_by_label("Password").fill(web_server.passwords[username])
        tab.get_by_role("button", name="Sign in").click()
        tab.wait_for_url(web_server.url + "/")

    return go
