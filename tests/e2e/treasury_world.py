"""The example agency brought to the morning a payment run is due, through the real use cases (as ``disburse demo``
tells it, and stopping there): holds released and invoices approved, three vendors' bank accounts called back,
approved, cooled off and prenoted, so that approved invoices are payable on 2026-11-10 and no run has paid them.

``payable_agency(container)`` does it to a container built with a ``FixedClock`` and ``initialize(example=True)``;
the clock is left at 2026-11-10 14:00 UTC.
"""

from __future__ import annotations

import datetime as dt

PAY_DAY = dt.date(2026, 11, 10)


def _at(clock, day: dt.date, hour: int = 14) -> None:  # noqa: ANN001
    clock.set(dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.timezone.utc))


def payable_agency(c) -> dict[str, str]:  # noqa: ANN001
    """Invoice number -> id of the invoices approved for payment on PAY_DAY."""
    import main
    from payments.example.demo import APPROVER, APPROVER2, CLERK, PAYEES, TREASURER, TREASURER2, VENDOR_ADMIN

    s = main.demo_services(c)
    invoices = {r.invoice.invoice_number: r.invoice for r in s.ap.invoices.list(after=None, limit=200)}
    _at(c.clock, dt.date(2026, 10, 20))
    for number in ("A-2002", "IT-0913"):
        for hold in [h for h in s.ap.invoices.view(invoices[number].id).holds if h.status == "open"]:
            s.ap.approvals.release_hold(APPROVER, invoices[number].id, hold.id, "agreed in writing")
    s.ap.approvals.approve(APPROVER, invoices["A-2002"].id)
    s.ap.approvals.approve(APPROVER, invoices["IT-0913"].id)
    s.ap.approvals.approve(APPROVER2, invoices["IT-0913"].id)
    vendors = {v.number: v.vendor for v in s.ap.vendors.list(after=None, limit=100)}
    for number, (phone, routing, account, _numbers) in PAYEES.items():
        vendor = vendors[number]
        s.bank_accounts.set_contact(VENDOR_ADMIN, vendor.id, phone=phone, name=vendor.legal_name)
        change = s.bank_accounts.request_change(VENDOR_ADMIN, vendor.id, routing_number=routing,
                                                account_number=account, account_type="checking")
        s.bank_accounts.record_callback(APPROVER, change.change.change_id, number_called=phone, outcome="confirmed")
        s.bank_accounts.approve(TREASURER, change.change.change_id)
    _at(c.clock, dt.date(2026, 11, 2))
    prenotes = s.payments.create_run(created_by=CLERK.user_id).run
    s.payments.release(TREASURER2, prenotes.id)
    s.payments.submit_released()
    s.relay_prenotes()
    _at(c.clock, dt.date(2026, 11, 6))
    s.bank_accounts.activate_cleared()
    _at(c.clock, PAY_DAY)
    return {n: i.id for n, i in invoices.items() if n in ("S-1001", "A-2002", "IT-0913")}


# -- over HTTP: the same, as ``disburse serve`` would run it, a fresh copy for each test --------------------------

import shutil  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402


def build_template(where, prepare: Callable[[Any], Any]) -> tuple[dict[str, str], Any, dt.datetime]:  # noqa: ANN001
    """The example agency in ``where``, ``prepare(container)`` run on it: (passwords, what prepare returned, the
    clock's time when it was done)."""
    import main
    from adapters.clock import FixedClock
    from tests.conftest import make_settings
    from tests.e2e.people import FAST_HASHER

    c = main.build(make_settings(f"sqlite:///{where / 'disburse.db'}", where), migrate=True, password_hasher=FAST_HASHER,
                   clock=FixedClock(dt.datetime(2026, 10, 1, 13, tzinfo=dt.timezone.utc)))
    main.initialize(c, example=True)
    passwords = {username: password for username, _name, password in c.example_sign_ins}
    made = prepare(c)
    now = c.clock.now()
    c.engine.dispose()
    return passwords, made, now


def copy_world(template, where, passwords: dict[str, str], now: dt.datetime, policy: str | None = None):  # noqa: ANN001, ANN201
    """A copy of a template's database, keys and outbox in ``where``, served with the clock at ``now``: a
    ``tests.e2e.web.Riverton`` (``.client()``, ``.passwords``, ``.c``)."""
    import main
    from adapters.clock import FixedClock
    from tests.conftest import make_settings
    from tests.e2e.people import FAST_HASHER
    from tests.e2e.web import Riverton

    shutil.copytree(template, where)
    extra = {}
    if policy is not None:
        (where / "policy.toml").write_text(policy)
        extra["policy_file"] = str(where / "policy.toml")
    c = main.build(make_settings(f"sqlite:///{where / 'disburse.db'}", where, **extra), migrate=True,
                   password_hasher=FAST_HASHER, clock=FixedClock(now))
    return Riverton(c, passwords)


@pytest.fixture(scope="session")
def _treasury_template(tmp_path_factory):  # noqa: ANN001, ANN201
    where = tmp_path_factory.mktemp("treasury")
    passwords, invoices, now = build_template(where, payable_agency)
    return where, passwords, invoices, now


@pytest.fixture
def treasury_world(_treasury_template, tmp_path):  # noqa: ANN001, ANN201
    """``treasury_world(policy=None)``: a fresh copy, optionally with a policy file's text laid over the default."""
    template, passwords, invoices, now = _treasury_template
    built = []

    def make(policy: str | None = None):  # noqa: ANN202
        world = copy_world(template, tmp_path / f"world{len(built)}", passwords, now, policy)
        built.append(world.c)
        world.invoices = invoices  # type: ignore[attr-defined]
        return world

    yield make
    for c in built:
        c.engine.dispose()


@pytest.fixture
def treasury_web(treasury_world):  # noqa: ANN001, ANN201
    """``treasury_web.client()``, ``.passwords``, ``.c`` (the container) and ``.invoices`` (number -> id)."""
    return treasury_world()
