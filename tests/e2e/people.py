"""Fixtures for the people-and-controls tests: the real app with the real authenticator, and real users.

``stack`` is a wired Disburse whose passwords hash cheaply (argon2id at minimum cost: the scheme is the same, the
test suite is not slowed by 64 MiB hashes). ``People`` creates users through the users service and hands back
``Authorization`` headers holding genuine ``dsb_`` tokens.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from adapters.keys.passwords import PasswordHasher
from payments.identity import Role
from payments.people.users_service import CLI_OPERATOR
from tests.conftest import make_settings

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost_kib=8, parallelism=1)
ON_FILE = "+1 (555) 010-4477"
ROUTING = "021000021"  # JPMorgan Chase, a valid ABA check digit


class People:
    """Users on demand: ``people.headers("val", Role.VENDOR_ADMIN)`` or ``people.vendor("acme", "ven_acme")``."""

    def __init__(self, container) -> None:  # noqa: ANN001
        self.c = container
        self.ids: dict[str, str] = {}
        self._headers: dict[str, dict] = {}

    def add(self, username: str, *roles: Role, vendor_id: str | None = None, password: str | None = None,
            email: str | None = None) -> str:
        if username not in self.ids:
            user = self.c.users.add(CLI_OPERATOR, username=username, display_name=username,
                                    roles=roles or [Role.VENDOR], vendor_id=vendor_id, password=password,
                                    email=email)
            self.ids[username] = user.user_id
        return self.ids[username]

    def headers(self, username: str, *roles: Role, vendor_id: str | None = None) -> dict:
        if username not in self._headers:
            user_id = self.add(username, *roles, vendor_id=vendor_id)
            token = self.c.users.issue_token(CLI_OPERATOR, user_id).secret
            self._headers[username] = {"Authorization": f"Bearer {token}"}
        return self._headers[username]

    def vendor(self, username: str, vendor_id: str) -> dict:
        return self.headers(username, Role.VENDOR, vendor_id=vendor_id)

    def principal(self, username: str):  # noqa: ANN201
        return self.c.users.get(CLI_OPERATOR, self.ids[username]).principal()


def build_stack(db_url: str, tmp_path, clock, **settings):  # noqa: ANN001, ANN201
    import main

    c = main.build(make_settings(db_url, tmp_path, **settings), clock=clock, migrate=True,
                   password_hasher=FAST_HASHER)
    main.initialize(c, example=False)
    return c


@pytest.fixture
def stack(db_url, tmp_path, clock):  # noqa: ANN001, ANN201
    c = build_stack(db_url, tmp_path, clock)
    yield c
    c.engine.dispose()


@pytest.fixture
def sqlite_stack(tmp_path, clock):  # noqa: ANN001, ANN201
    """For tests about HTTP authorization alone, where the database backend adds nothing."""
    c = build_stack(f"sqlite:///{tmp_path / 'disburse.db'}", tmp_path, clock)
    yield c
    c.engine.dispose()


def client_for(container) -> TestClient:  # noqa: ANN001
    import main

    # https, so that the client sends back the Secure cookies the app sets.
    return TestClient(main.create_app(container), base_url="https://testserver")


@pytest.fixture
def client(stack):  # noqa: ANN001, ANN201
    with client_for(stack) as c:
        yield c


@pytest.fixture
def people(stack):  # noqa: ANN001, ANN201
    return People(stack)


def ensure_vendor(container, vendor_id: str, status: str = "active") -> None:  # noqa: ANN001
    """A vendor row for ``vendor_id`` (contacts and bank accounts are kept only for vendors that exist).

    Stored directly: these ids are readable names (``ven_01ACMEPAVING…``), not the ULIDs the vendor API insists on.
    """
    from ledger.journal import format_time
    from payments.ap.ap_records import Stamp, VendorRecord
    from payments.ap.documents import Vendor, VendorStatus

    with container.uow() as uow:
        if uow.vendors.get(vendor_id) is None:
            stamp = Stamp("usr_setup", format_time(container.clock.now()))
            uow.vendors.add(VendorRecord(Vendor(vendor_id, f"Vendor {vendor_id[-6:]}", VendorStatus(status), "net 30"),
                                         None, None, (), (), 1, stamp, stamp), tin_ciphertext=None, tin_fingerprint=None)
            uow.commit()


def set_contact(container, vendor_id: str, phone: str = ON_FILE, email: str | None = None) -> None:  # noqa: ANN001
    """The vendor's first contact on file (set at once; later changes go through a second person)."""
    from payments.identity import Principal

    ensure_vendor(container, vendor_id)
    container.bank_accounts.set_contact(Principal.staff("usr_setup", Role.VENDOR_ADMIN), vendor_id, phone=phone,
                                        email=email or f"ap@{vendor_id}.example")
