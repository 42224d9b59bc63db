"""A database upgraded from before each fiscal year's budget line kept its sums (SQLite and PostgreSQL).

Riverton approved an order for 5 chairs at $120 before the upgrade, received 2 and paid an invoice for them at
$121 each. Those entries carry no year split, the order no fiscal year, and the FY2027 line says 0 encumbered
and 0 expended, although $360 is still encumbered and $242 expended against a $1,000 appropriation. Migration
0013 dates the order by its approval day and ``BudgetTotals.rebuild`` recounts the line from the journal:
afterwards it says what a database built with the sums from the start says, and an order for more than is left
is refused. Until then, the ledger's all-years balance refuses it.
"""

import dataclasses
import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import select, update

from adapters.db.ap.ap_tables import budgets, purchase_orders
from payments.ap.ap_errors import InsufficientFunds
from payments.ap.ap_postings import Legs
from payments.ap.budget_service import SetBudget
from payments.ap.po_service import NewPurchaseOrder
from tests.integration.ap_story import (APPROVER, CLERK, FURNITURE, TREASURER, ap, inv_line, invoice, po_line,
                                        receive, vendor)

# What the FY2027 furniture line holds after the story: 3 chairs still encumbered, 2 received and billed at $121.
ENCUMBERED, EXPENDED = 3 * 12_000, 2 * 12_100
MIGRATION = Path(__file__).resolve().parents[2] / "adapters/db/migrations/versions/0013_budget_backfill.py"


@pytest.fixture
def s(container):  # noqa: ANN001, ANN201
    services = ap(container)
    services.budgets.set(TREASURER, SetBudget(2027, FURNITURE, 100_000))  # $1,000
    return services


def _story(s) -> str:  # noqa: ANN001
    acme = vendor(s)
    record, _ = s.purchase_orders.create(CLERK, NewPurchaseOrder("PO-OLD", acme, "USD", (po_line(1, 5, 12_000),)))
    s.purchase_orders.approve(APPROVER, record.po.id)
    receive(s, record.po.id, (1, 2))
    bill = invoice(s, acme, inv_line(1, record.po.id, 2, 12_100))
    for hold in s.invoices.view(bill.invoice.id).holds:  # $1 over the order's price, agreed
        s.approvals.release_hold(APPROVER, bill.invoice.id, hold.id, "price rise agreed by phone")
    s.approvals.approve(APPROVER, bill.invoice.id)
    return record.po.id


def _as_before_0009(container, monkeypatch, s) -> str:  # noqa: ANN001
    """The story as an installation before 0009 posted it: no year split, no year on the order, sums at zero."""
    with monkeypatch.context() as m:
        m.setattr(Legs, "budget_years", lambda self: [])
        po_id = _story(s)
    with container.uow() as uow:
        uow.conn.execute(update(purchase_orders).values(fiscal_year=None))
        uow.conn.execute(update(budgets).values(encumbered_minor=0, expended_minor=0))
        uow.commit()
    return po_id


def _line(s):  # noqa: ANN001, ANN202
    line = s.budgets.availability(FURNITURE, fiscal_year=2027)
    return line.encumbered_minor, line.expended_minor


def _run_migration_0013(container) -> None:  # noqa: ANN001
    spec = importlib.util.spec_from_file_location("budget_backfill", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with container.uow() as uow:
        uow.conn.execute(module.BACKFILL)
        uow.commit()


def _four_chairs(s) -> str:  # noqa: ANN001
    acme = s.vendors.list(after=None, limit=1)[0].vendor.id
    record, _ = s.purchase_orders.create(CLERK, NewPurchaseOrder("PO-NEW", acme, "USD", (po_line(1, 4, 12_000),)))
    return record.po.id


def test_a_fresh_database_keeps_the_sums_and_the_rebuild_finds_the_same(s):
    _story(s)
    assert _line(s) == (ENCUMBERED, EXPENDED)

    recount = s.budget_totals.rebuild(TREASURER)

    assert _line(s) == (ENCUMBERED, EXPENDED)
    assert (recount.lines, recount.orders_dated, recount.entries_without_split) == (1, 0, 0)


def test_before_the_rebuild_the_ledger_balance_refuses_an_over_commitment(container, monkeypatch, s):
    _as_before_0009(container, monkeypatch, s)
    assert _line(s) == (0, 0)  # the year's line would let $1,000 go

    with pytest.raises(InsufficientFunds) as refused:  # $480 asked, $1,000 - $360 - $242 = $398 left
        s.purchase_orders.approve(APPROVER, _four_chairs(s))

    assert refused.value.details["coding"].startswith("all years ")
    assert (refused.value.details["needed_minor"], refused.value.details["available_minor"]) == (48_000, 39_800)


def test_the_upgrade_and_rebuild_give_the_line_a_fresh_database_has(container, monkeypatch, s):
    old = _as_before_0009(container, monkeypatch, s)

    _run_migration_0013(container)
    assert s.purchase_orders.get(old).fiscal_year == 2027  # approved 2026-11-02: FY2027 (July start)
    recount = s.budget_totals.rebuild(TREASURER)

    assert _line(s) == (ENCUMBERED, EXPENDED)
    assert (recount.entries_without_split, recount.ambiguous_entries) == (3, ())  # approval, receipt, invoice
    assert s.budget_totals.rebuild(TREASURER) == recount and _line(s) == (ENCUMBERED, EXPENDED)  # idempotent

    with pytest.raises(InsufficientFunds) as refused:
        s.purchase_orders.approve(APPROVER, _four_chairs(s))
    assert refused.value.details["coding"].startswith("FY2027 ")
    assert refused.value.details["available_minor"] == 100_000 - ENCUMBERED - EXPENDED

    receive(s, old, (1, 3))  # the old order's postings carry its year from now on
    assert _line(s) == (0, EXPENDED + 3 * 12_000)
    assert s.budget_totals.rebuild(TREASURER).entries_without_split == 3 and _line(s) == (0, EXPENDED + 36_000)
    assert container.ledger.verify().ok


def test_the_rebuild_dates_old_orders_by_the_agencys_own_start_month(container, monkeypatch, s):
    old = _as_before_0009(container, monkeypatch, s)
    _run_migration_0013(container)  # assumed July: FY2027
    s.deps.policies = dataclasses.replace(s.deps.policies, fiscal_year_start_month=1)

    recount = s.budget_totals.rebuild(TREASURER)

    assert s.purchase_orders.get(old).fiscal_year == 2026 and recount.orders_dated == 1  # a calendar year
    with container.uow(read_only=True) as uow:
        lines = {r.fiscal_year: (r.encumbered_minor, r.expended_minor) for r in uow.conn.execute(select(budgets))}
    assert lines == {2026: (ENCUMBERED, EXPENDED), 2027: (0, 0)}  # FY2026 has no appropriation: shown overspent


def test_disburse_budgets_rebuild_recounts_the_lines(tmp_path, monkeypatch, capsys):  # noqa: ANN001
    import json

    import main
    from payments.example.example_agency import example_accounts

    monkeypatch.setenv("DISBURSE_DATABASE_URL", f"sqlite:///{tmp_path / 'd.db'}")
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(tmp_path / "keys"))
    assert main.cli(["init"]) == 0
    c = main.build()
    c.ledger.add_accounts(example_accounts())
    services = ap(c)
    year = services.deps.policies.fiscal_year_of(services.deps.today())
    services.budgets.set(TREASURER, SetBudget(year, FURNITURE, 100_000))
    _story(services)
    with c.uow() as uow:  # the sums lost, as after an upgrade from before 0009
        uow.conn.execute(update(budgets).values(encumbered_minor=0, expended_minor=0))
        uow.commit()
    capsys.readouterr()

    assert main.cli(["budgets", "rebuild", "--json"]) == 0

    out = json.loads(capsys.readouterr().out)
    assert (out["lines"], out["orders_dated"], out["ambiguous_entries"]) == (1, 0, [])
    line = services.budgets.availability(FURNITURE, fiscal_year=year)
    assert (line.encumbered_minor, line.expended_minor) == (ENCUMBERED, EXPENDED)
    c.engine.dispose()


def test_upgrading_from_0009_dates_and_recounts_on_its_own(container, monkeypatch, s, db_url, tmp_path, clock):  # noqa: ANN001
    from alembic import command

    import main
    from adapters.db.migrate import alembic_config, migration_connection
    from tests.conftest import make_settings

    old = _as_before_0009(container, monkeypatch, s)
    # The schema as 0009 left it: the AP branch taken back to 0009 (0013 and every AP migration since undone), the
    # data of the story kept, as a database still on a release from before 0013 holds it.
    cfg = alembic_config()
    with migration_connection(container.engine) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0009_ap_more")
    container.engine.dispose()

    upgraded = main.build(make_settings(db_url, tmp_path), clock=clock, migrate=True)  # `disburse db upgrade`
    try:
        after = ap(upgraded)
        assert after.purchase_orders.get(old).fiscal_year == 2027
        assert _line(after) == (ENCUMBERED, EXPENDED)
        with pytest.raises(InsufficientFunds) as refused:
            after.purchase_orders.approve(APPROVER, _four_chairs(after))
        assert refused.value.details["coding"].startswith("FY2027 ")
    finally:
        upgraded.engine.dispose()
