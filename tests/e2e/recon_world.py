"""The example agency the day after a run was sent through the sandbox bank, with the bank's statement of the
settlement day as a bank would send it when it books the payments its own way: one line for one payment and one
for two others together, neither carrying our references, so reconciliation cannot match them and opens two
``unmatched_line`` exceptions for a person to match by hand.

``sent_run(container)`` (after ``tests.e2e.treasury_world.payable_agency``) sends the run and leaves the clock on
the settlement day; ``awkward_statement(container)`` is that day's BAI2 file, rewritten so.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class SentRun:
    run_id: str
    payments: dict[str, tuple[str, int]]  # payee name -> (payment id, amount in minor units)
    settles: dt.date


def sent_run(c) -> SentRun:  # noqa: ANN001
    import main
    from payments.example.demo import CLERK, TREASURER

    s = main.demo_services(c)
    run = s.payments.create_run(rail="sandbox", created_by=CLERK.user_id).run
    s.payments.release(TREASURER, run.id)
    s.payments.submit_released()
    settles = s.bank(0).settles_on(run.effective_date)
    c.clock.set(dt.datetime(settles.year, settles.month, settles.day, 20, tzinfo=dt.timezone.utc))
    return SentRun(run.id, {p.payee_name: (p.id, p.amount_minor) for p in s.payments.payments_of_run(run.id)}, settles)


def awkward_statement(c, sent: SentRun) -> bytes:  # noqa: ANN001
    """The settlement day's BAI2 with its two batch lines replaced by two lines of the bank's own: the IT services
    payment alone, and Acme's and Summit's together, with references of the bank's and no text of ours."""
    import main

    lines = main.demo_services(c).bank(0).bai2(sent.settles).splitlines()
    details = [n for n, line in enumerate(lines) if line.startswith("16,")]
    assert len(details) == 2, lines
    alone = sent.payments["Riverton IT Services LLC"][1]
    together = sent.payments["Acme Furniture Co."][1] + sent.payments["Summit Office Supply"][1]
    lines[details[0]] = f"16,466,{alone},0,98765432,,VENDOR PAYMENT/"
    lines[details[1]] = f"16,466,{together},0,98765433,,VENDOR PAYMENTS/"
    text = "\n".join(lines) + "\n"
    assert re.search(r"^49,", text, re.M)
    return text.encode()


# -- over HTTP: a fresh copy for each test ------------------------------------------------------------------------

import pytest  # noqa: E402


def _prepare(c) -> tuple[SentRun, bytes]:  # noqa: ANN001
    from tests.e2e.treasury_world import payable_agency

    payable_agency(c)
    sent = sent_run(c)
    return sent, awkward_statement(c, sent)


@pytest.fixture(scope="session")
def _recon_template(tmp_path_factory):  # noqa: ANN001, ANN201
    from tests.e2e.treasury_world import build_template

    where = tmp_path_factory.mktemp("recon")
    return (where, *build_template(where, _prepare))


@pytest.fixture
def recon_web(_recon_template, tmp_path):  # noqa: ANN001, ANN201
    """``recon_web.client()``, ``.passwords``, ``.c``, ``.sent`` (the run sent) and ``.statement`` (its day's BAI2,
    rewritten so that two lines need a person)."""
    from tests.e2e.treasury_world import copy_world

    template, passwords, (sent, statement), now = _recon_template
    world = copy_world(template, tmp_path / "world", passwords, now)
    world.sent, world.statement = sent, statement  # type: ignore[attr-defined]
    yield world
    world.c.engine.dispose()
