"""Prompt payment under the agency's own law, end to end: an invoice received, approved and paid late by the real
services, under each shipped rule set — the interest the payment carries, the journal's interest_owed entry, the
rule recorded with the due date and with the interest, and what the vendor portal says in plain words.

The City of Riverton receives 10 chairs on 1 October 2026 ($1,200.00); Acme's invoice reaches it on Tuesday
6 October. The payment run of Thursday 10 December pays it as ordinary ACH dated Friday 11 December.
"""

import datetime as dt

import pytest

from payments.identity import Principal
from tests.conftest import make_settings
from tests.payment_fakes import FakeAccounts, MemoryRail

RUN_DATE, PAID_ON = dt.date(2026, 12, 10), dt.date(2026, 12, 11)


@pytest.fixture
def riverton(db_url, tmp_path, clock):  # noqa: ANN001, ANN201
    """A wired Disburse whose policy file names the agency's prompt-payment rule set (``policy`` is its text)."""
    import main
    from payments.example.example_agency import example_accounts

    made = []

    def build(policy: str):  # noqa: ANN202
        path = tmp_path / f"policy{len(made)}.toml"
        path.write_text(policy)
        c = main.build(make_settings(db_url, tmp_path, policy_file=str(path)), clock=clock, migrate=not made)
        if not made:
            main.initialize(c, example=False)
            c.ledger.add_accounts(example_accounts())
        made.append(c)
        return c

    yield build
    for c in made:
        c.engine.dispose()


def _chairs(container, *, category: str = "furniture", received_on: dt.date = dt.date(2026, 10, 6), chairs: int = 10,
            approve: bool = True,
            number: str = "INV-1001", po_number: str = "PO-2027-0001", acme: str | None = None):  # noqa: ANN001, ANN202
    from payments.ap.po_lines import NewPOLine
    from tests.integration.ap_story import (APPROVER, D, FURNITURE, ap, approved_po, budget, inv_line, invoice,
                                            receive, vendor)
    from payments.ap.documents import LineKind

    s = ap(container)
    if acme is None:
        acme = vendor(s)
        budget(s)
    line = NewPOLine(1, "chair", D(chairs), "each", D(12_000), FURNITURE, LineKind.GOODS, None, category)
    po = approved_po(s, acme, line, number=po_number)
    receive(s, po, (1, chairs, chairs), on=dt.date(2026, 10, 1))
    inv = invoice(s, acme, inv_line(1, po, chairs), number=number, received_on=received_on).invoice.id
    if approve:
        s.approvals.approve(APPROVER, inv)
    return s, acme, inv


def _pay(container, clock):  # noqa: ANN001, ANN202
    import main
    from tests.integration.ap_story import TREASURER

    clock.set(dt.datetime(RUN_DATE.year, RUN_DATE.month, RUN_DATE.day, 15, 0))  # the run is made on its own day

    svc = main.wire_payments(container, accounts=FakeAccounts(), rails=lambda _name: MemoryRail(name="nacha"))
    run = svc.create_run(run_date=RUN_DATE).run
    payments = svc.payments_of_run(run.id)
    svc.release(TREASURER, run.id)
    svc.submit_released()
    return [i for p in payments for i in p.items], payments


def _interest_posted(container) -> set[tuple[str, str, int]]:  # noqa: ANN001
    with container.uow(read_only=True) as uow:
        return {(p.account, p.direction.value, p.amount_minor)
                for e in uow.ledger_queries.list_entries(code="interest_owed") for p in e.draft.postings}


CASES = {
    # 5 CFR 1315: acceptance deemed 7 days after the Oct. 1 delivery, Oct. 8, is later than the invoice: due
    # Saturday Nov. 7; Nov. 8 - Dec. 11 is 34 days at the July 2026 Treasury rate in the default policy, 4.5%:
    # $1,200 x (1 + .045/12) x (1 + .045/360 x 4) - $1,200 = $5.1023 -> $5.10.
    "federal": ("", "federal@5cfr1315", "2026-11-07", 510),
    # Gov't Code 2251.021: overdue on the 31st day after Oct. 6, Nov. 6, in FY2027; the policy supplies the
    # Comptroller's FY2027 row (prime 6.75% here, a figure for this test) + 1% = 7.75%. 36 days:
    # 36/365 x 7.75% x $1,200 = $9.1726 -> $9.17.
    "texas": ('rule_set = "texas"\nrule_set_rates = { texas = [["2026-09-01", "6.75", "2027-08-31"]] }\n',
              "texas@tx-2251", "2026-11-05", 917),
    # RCW 39.76.011: timely through Nov. 5; Nov. 5 - Dec. 5 one month, then 6 days: 1% x (1 + 6/30) x $1,200 = $14.40.
    "washington": ('rule_set = "washington"\n', "washington@rcw-39.76", "2026-11-05", 1440),
    # F.S. 218.735: a construction payment request stamped received Tuesday Oct. 6 is due 20 business days later
    # (Columbus Day, Oct. 12, is not one): Wednesday Nov. 4. Nov. 4 - Dec. 4 one month, then 7 days, at 2%:
    # 2% x (1 + 7/30) x $1,200 = $29.60. (Billed as goods it would be due Nov. 20 and earn nothing until Dec. 20.)
    "florida_local": ('rule_set = "florida_local"\n', "florida_local@fs-218-2021.07/construction", "2026-11-04",
                      2960),
    # State Finance Law 179-f: 30 calendar days from Oct. 6 less Columbus Day: Nov. 6; Nov. 7 - Dec. 11 is 35
    # days at the overpayment rate in effect on the payment date (the policy's Q4 2026 row, 6% here, a figure for
    # this test), compounded daily: $1,200 x ((1 + .06/365)^35 - 1) = $6.9212 -> $6.92; at least $10 is paid, so
    # nothing is.
    "new_york_state": ('rule_set = "new_york_state"\n'
                       'rule_set_rates = { new_york_state = [["2026-10-01", "6", "2026-12-31"]] }\n',
                       "new_york_state@stf-179", "2026-11-06", 0),
}


@pytest.mark.parametrize("name", list(CASES))
def test_an_invoice_paid_late_earns_the_interest_of_the_agencys_rule_set(riverton, clock, name):
    table, label, due, interest = CASES[name]
    container = riverton(f"[prompt_pay]\n{table}")
    s, acme, inv = _chairs(container, category="construction" if name == "florida_local" else "furniture")
    pp = s.invoices.view(inv).record.prompt_pay
    assert (pp.rule, pp.due_date.isoformat()) == (label, due)

    items, payments = _pay(container, clock)
    (item,) = items
    assert payments[0].effective_date == PAID_ON
    assert (item.interest_minor, item.interest_rule) == (interest, label)
    assert payments[0].amount_minor == 120_000 + interest
    assert _interest_posted(container) == ({("100-5900", "debit", interest), ("100-2010", "credit", interest)}
                                           if interest else set())
    assert container.ledger.verify().ok


def test_the_vendor_portal_says_which_law_when_the_invoice_became_overdue_and_the_rate(riverton, clock):
    import main

    container = riverton('[prompt_pay]\nrule_set = "washington"\n')
    s, acme, inv = _chairs(container, approve=False)  # matched, awaiting approval (no bank account is needed yet)
    clock.set(dt.datetime(2026, 11, 20, 15, 0))
    # Timely through Nov. 5; on Nov. 20, 15 days late: 1% x 15/30 x $1,200 = $6.00.
    seen = main.wire_portal(container).invoice(Principal.vendor_user("usr_acme", acme), inv).interest
    assert (seen.state, seen.rule, seen.interest_minor) == ("accruing", "washington@rcw-39.76", 600)
    assert seen.law == ("This invoice is paid under the Washington interest on unpaid public contracts (RCW chapter "
                        "39.76). It became overdue on 2026-11-06; interest runs from 2026-11-06 at 1% a month.")


def test_changing_the_agencys_rule_set_applies_only_to_invoices_received_after_the_change(riverton, clock):
    # Riverton moves from the federal rule to Washington's act for invoices received from 10 October 2026 on.
    container = riverton('[prompt_pay]\nrule_set = "federal"\nrule_set_changes = [["2026-10-10", "washington"]]\n')
    s, acme, before = _chairs(container)
    _, _, after = _chairs(container, received_on=dt.date(2026, 10, 12), chairs=9, number="INV-1002",
                          po_number="PO-2027-0002", acme=acme)
    assert s.invoices.view(before).record.prompt_pay.rule == "federal@5cfr1315"
    assert s.invoices.view(after).record.prompt_pay.rule == "washington@rcw-39.76"
    items = {i.invoice_id: i for i in _pay(container, clock)[0]}
    # Federal, as above: $5.10. Washington, 9 chairs received Oct. 12: timely through Nov. 11; Nov. 11 - Dec. 11
    # is one month: 1% x $1,080 = $10.80.
    assert (items[before].interest_minor, items[before].interest_rule) == (510, "federal@5cfr1315")
    assert (items[after].interest_minor, items[after].interest_rule) == (1080, "washington@rcw-39.76")
