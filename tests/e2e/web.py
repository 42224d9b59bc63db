"""Fixtures for the pages over plain HTTP (no browser): the example agency with its printed passwords, and a
client that signs in through the sign-in form as a person does.

``riverton_web`` is ``disburse serve --example`` on SQLite (``riverton_web.passwords["clerk"]`` …);
``web_sign_in(client, username, password)`` fetches the form, posts it with its form token and follows nothing;
``csrf_of(client)`` is the session's CSRF token, which a page's form posts back as ``csrf_token``.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from fastapi.testclient import TestClient

from adapters.clock import FixedClock
from tests.conftest import make_settings
from tests.e2e.people import FAST_HASHER

START = dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.timezone.utc)
_FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


class Riverton:
    def __init__(self, container, passwords: dict[str, str]) -> None:  # noqa: ANN001
        self.c = container
        self.passwords = passwords

    def client(self) -> TestClient:
        import main

        # https, so that the client sends back the Secure cookies the app sets.
        return TestClient(main.create_app(self.c), base_url="https://testserver", follow_redirects=False)


@pytest.fixture(scope="session")
def _riverton_template(tmp_path_factory):  # noqa: ANN001, ANN201
    """Built once per test process: the example agency's database, keys and printed passwords."""
    import main

    where = tmp_path_factory.mktemp("riverton")
    c = main.build(make_settings(f"sqlite:///{where / 'disburse.db'}", where), clock=FixedClock(START),
                   migrate=True, password_hasher=FAST_HASHER)
    main.initialize(c, example=True)
    passwords = {username: password for username, _name, password in c.example_sign_ins}
    c.engine.dispose()
    return where, passwords


@pytest.fixture
def riverton_web(_riverton_template, tmp_path):  # noqa: ANN001, ANN201
    """A fresh copy of the example agency for each test (a test may lock users out or sign them in)."""
    import main

    template, passwords = _riverton_template
    shutil.copytree(template, tmp_path, dirs_exist_ok=True)
    c = main.build(make_settings(f"sqlite:///{tmp_path / 'disburse.db'}", tmp_path), clock=FixedClock(START),
                   migrate=True, password_hasher=FAST_HASHER)
    yield Riverton(c, passwords)
    c.engine.dispose()


def form_token(client: TestClient) -> str:
    page = client.get("/sign-in")
    assert page.status_code == 200, page.text
    return _FORM_TOKEN.search(page.text).group(1)


def web_sign_in(client: TestClient, username: str, password: str, **extra: str):  # noqa: ANN201
    return client.post("/sign-in", data={"username": username, "password": password,
                                         "form_token": form_token(client), **extra})


def csrf_of(client: TestClient) -> str:
    return client.cookies["disburse_csrf"]


def tampered(token: str) -> str:
    """A forgery of ``token``: its first character changed, always to a different one (a token that happened to start
    with "x" once made "x" + token[1:] the token itself, and the test accepted it)."""
    return ("y" if token[0] == "x" else "x") + token[1:]
