"""Money is always right (issue 11): random whole-flow histories through the real services, checked after every step.

A hypothesis ``RuleBasedStateMachine`` drives the services the HTTP routes and jobs call, wired by the composition
root on a real database (SQLite always; PostgreSQL too when DISBURSE_TEST_POSTGRES_URL is set), through histories
of purchase orders against a tight budget and their change orders, receipts, invoices (proper and not, suspected
duplicates, over price), credit memos, approvals, hold releases, treasurers' budget overrides, cancellations (a
supervisor's of approved invoices too), payment runs (preview, create, release, cancel, submit; a released run
submitted days later is re-dated), the sandbox bank's settlements, returns and notifications of change, bank
statements imported day by day and reconciled, and bank-account changes. After every step
``money_invariants.check_all`` holds each promise: every payment equals its remittance, no invoice is in two live
payments, an invoice is paid exactly when a sent payment carries it, the budget is not overrun (beyond what a
treasurer overrode), the journal balances per fund and verifies, Vouchers payable never goes below zero (without
credits it equals what is approved and unsent; with them, that less the credits' payable part no sent payment has
taken, the rest of every credit sitting in Vendor credits receivable), and the portal says what staff see.
Submissions are checked to pay only accounts that were active and unheld when claimed; a day-by-day mirror of the
bank ties out with no exceptions.

The example budget is fixed so that the default suite stays quick: ``EXAMPLES`` (12) histories of ``STEPS`` (30)
steps on SQLite, about 50 s; half as many on PostgreSQL. ``DISBURSE_SOAK=1`` runs a hundred times as many histories.
A history that breaks a promise is printed as the sequence of steps that broke it; each one found so far is a
named regression test in tests/e2e/test_money_findings.py (and test_sandbox_desk.py).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, initialize, invariant, precondition, rule,
                                 run_state_machine_as_test)

from payments.ap.credit_memo_service import NewCreditMemo, NewCreditMemoLine
from payments.ap.documents import LineKind, ReceiptLine
from payments.ap.invoice_service import NewInvoice, NewInvoiceLine
from payments.ap.po_lines import NewPOLine
from payments.ap.po_service import ChangeOrder, NewPurchaseOrder
from payments.ap.receipt_service import NewReceipt
from payments.errors import DomainError
from payments.identity import Principal, Role
from tests.integration import money_invariants as inv
from tests.integration.money_world import (APPROVER, BANK_APPROVER, CALLER, CLERK, FURNITURE, PHONE, RELEASER,
                                           WorldTemplate, open_account)

SUPERVISOR = Principal.staff("usr_sue", Role.AP_CLERK, Role.AP_APPROVER)
EXAMPLES = 12 * (100 if os.environ.get("DISBURSE_SOAK") == "1" else 1)
STEPS = 30
HISTORIES = settings(max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=False,
                     suppress_health_check=list(HealthCheck), print_blob=True)


# Credit memos are in the histories since a credit posted while a released run carries its invoice, or an invoice
# cancelled after a credit was counted against it, no longer takes Vouchers payable below zero
# (tests/e2e/test_money_findings.py).
CREDITS_IN_HISTORIES = True
SEEN: Counter[str] = Counter()  # what the histories did, printed after the run (pytest -s) and reported


def event(what: str) -> None:
    SEEN[what] += 1
    hypothesis_event(what)


class MoneyMachine(RuleBasedStateMachine):
    template: WorldTemplate

    def __init__(self) -> None:
        super().__init__()
        SEEN["histories"] += 1
        self.w = self.template.world()
        self.pos: list[tuple[str, str, int]] = []  # (po id, vendor id, unit price)
        self.delivered: dict[str, dt.date] = {}  # po id -> when its goods arrived
        self.billed: dict[str, tuple[int, int, dt.date]] = {}  # po id -> its last bill (qty, over, received)
        self.invoices: list[str] = []

    def teardown(self) -> None:
        self.template.drop(self.w)

    def _pick(self, items: list, k: int):  # noqa: ANN202
        return items[k % len(items)]

    # -- accounts payable -------------------------------------------------------------------------------------
    @initialize(bills=st.lists(st.tuples(st.integers(0, 1), st.integers(1, 5), st.sampled_from([5_000, 12_000]),
                                         st.sampled_from(["net 30", "2/10 net 30"]), st.sampled_from([36, 50])),
                               min_size=1, max_size=3))
    def invoices_coming_due(self, bills: list[tuple[int, int, int, str, int]]) -> None:
        """Every history starts with a few approved invoices for goods delivered weeks ago: due, or late."""
        for vendor, qty, price, terms, delivered in bills:
            self.order(vendor, qty, price, delivered)
            if self.pos:
                self.bill(len(self.pos) - 1, qty, 0, True, terms, False)
                self.approve(len(self._with_status("matched")) - 1)

    @rule(vendor=st.integers(0, 2), qty=st.integers(1, 8), price=st.sampled_from([5_000, 12_000, 45_000]),
          delivered=st.sampled_from([None, 0, 10, 30, 45, 45]))
    def order(self, vendor: int, qty: int, price: int, delivered: int | None) -> None:
        """A purchase order, approved against the budget; usually delivered in full (``delivered`` days ago)."""
        w, vendor_id = self.w, sorted(self.w.vendors.values())[vendor]
        line = NewPOLine(1, "chair", Decimal(qty), "each", Decimal(price), FURNITURE, LineKind.GOODS, None, "furniture")
        record, _ = w.ap.purchase_orders.create(CLERK, NewPurchaseOrder(f"PO-{w.next()}", vendor_id, "USD", (line,)))
        try:
            w.ap.purchase_orders.approve(APPROVER, record.po.id)
        except DomainError as exc:  # insufficient_funds: the budget says no, and nothing is encumbered
            assert exc.code == "insufficient_funds", exc
            event("order refused: insufficient funds")
            return
        self.pos.append((record.po.id, vendor_id, price))
        if delivered is not None:
            on = w.today - dt.timedelta(days=delivered)
            w.ap.receipts.create(CLERK, NewReceipt(po_id := record.po.id, on, (ReceiptLine(1, Decimal(qty), None),)))
            self.delivered[po_id] = on

    @precondition(lambda self: self.pos)
    @rule(k=st.integers(0, 99), delta=st.sampled_from([-2, -1, 1, 2]))
    def change_order(self, k: int, delta: int) -> None:
        """A change order: more or fewer chairs. More goes back to approval (and must fit the budget line); fewer
        than were received or billed is refused."""
        w = self.w
        po_id, _, price = self._pick(self.pos, k)
        po = w.ap.purchase_orders.get(po_id).po
        qty = po.lines[0].quantity + delta
        if qty <= 0:
            return
        line = NewPOLine(1, "chair", qty, "each", Decimal(price), FURNITURE, LineKind.GOODS, None, "furniture")
        try:
            changed = w.ap.purchase_orders.change(CLERK, po_id, ChangeOrder(po.version, (line,), "vendor asked"))
            event("change order")
            if changed.po.status.value == "pending_approval":
                w.ap.purchase_orders.approve(APPROVER, po_id)
                event("change order approved")
        except DomainError as exc:  # below what was received or billed, over the budget: refused, nothing written
            event(f"change order refused: {exc.code}")

    @precondition(lambda self: self.pos)
    @rule(k=st.integers(0, 99), qty=st.integers(-1, 3))
    def receive(self, k: int, qty: int) -> None:
        """More goods arrive (or some go back: -1)."""
        po_id, _, _ = self._pick(self.pos, k)
        try:
            self.w.ap.receipts.create(CLERK, NewReceipt(po_id, self.w.today, (ReceiptLine(1, Decimal(qty or 1), None),)))
        except DomainError:
            pass  # returning more than was received, receiving more than ordered: refused, nothing written

    @precondition(lambda self: self.pos)
    @rule(k=st.integers(0, 99), qty=st.integers(1, 8), over=st.sampled_from([0, 0, 0, 0, 150, 2_500]),
          proper=st.sampled_from([True, True, True, True, False]), terms=st.sampled_from(["net 30", "2/10 net 30"]),
          duplicate=st.sampled_from([False, False, False, True]))
    def bill(self, k: int, qty: int, over: int, proper: bool, terms: str, duplicate: bool) -> None:
        """An invoice for part or all of an order, received the day the goods were (or today): proper or not, at
        the order's price or over it, now and then the same bill again under another number."""
        w = self.w
        po_id, vendor_id, price = self._pick(self.pos, k)
        received = self.delivered.get(po_id, w.today)
        if duplicate and self.billed.get(po_id):
            qty, over, received = self.billed[po_id]
        lines = (NewInvoiceLine(1, po_id, 1, Decimal(qty), Decimal(price + over)),)
        cmd = NewInvoice(vendor_id, f"INV-{w.next()}", received - dt.timedelta(days=1), "USD", lines, received, terms,
                         qty * (price + over), "1 Main St" if proper else "", "Pat Lee, 555-0100")
        record, _ = w.ap.invoices.create(CLERK, cmd)
        self.invoices.append(record.invoice.id)
        self.billed[po_id] = (qty, over, received)
        event(f"invoice {record.invoice.status.value}")

    def _with_status(self, status: str) -> list[str]:
        return [i for i in self.invoices if self.w.ap.invoices.view(i).record.invoice.status.value == status]

    @precondition(lambda self: self.invoices)
    @rule(k=st.integers(0, 99))
    def approve(self, k: int) -> None:
        matched = self._with_status("matched")
        if matched:
            try:
                self.w.ap.approvals.approve(APPROVER, self._pick(matched, k))
                event("invoice approved")
            except DomainError as exc:  # it would overrun the budget line: held for a treasurer's override
                assert exc.code == "insufficient_funds", exc
                event(f"approval refused: {exc.code}")

    @precondition(lambda self: self.invoices)
    @rule(k=st.integers(0, 99))
    def override_the_budget(self, k: int) -> None:
        """A treasurer allows an approval beyond the budget line, with a reason."""
        held = [i for i in self.invoices if any(h.hold == "insufficient_funds" and h.status == "open"
                                                for h in self.w.ap.invoices.view(i).holds)]
        if held:
            self.w.ap.approvals.override_budget(BANK_APPROVER, self._pick(held, k), "council transfer approved")
            event("budget overridden")

    @precondition(lambda self: self.invoices)
    @rule(k=st.integers(0, 99))
    def release_a_hold(self, k: int) -> None:
        held = [h for i in self.invoices for h in self.w.ap.invoices.view(i).holds if h.status == "open"]
        if held:
            hold = self._pick(held, k)
            try:
                self.w.ap.approvals.release_hold(APPROVER, hold.invoice_id, hold.id, "checked with the vendor")
                event(f"hold released: {hold.hold}")
            except DomainError:
                pass  # a hold only a person of another role, or nobody, may release

    @precondition(lambda self: self.invoices)
    @rule(k=st.integers(0, 99), supervisor=st.booleans())
    def cancel(self, k: int, supervisor: bool) -> None:
        """A clerk voids an invoice not yet approved; a supervisor (clerk and approver) also an approved one."""
        try:
            self.w.ap.cancellations.cancel(SUPERVISOR if supervisor else CLERK, self._pick(self.invoices, k),
                                           "entered in error")
            event("invoice cancelled")
        except DomainError:
            pass  # paid, in a live payment, or already cancelled: refused

    @precondition(lambda self: CREDITS_IN_HISTORIES and self.pos)
    @rule(k=st.integers(0, 99), amount=st.integers(100, 60_000))
    def credit(self, k: int, amount: int) -> None:
        w = self.w
        po_id, vendor_id, _ = self._pick(self.pos, k)
        try:
            w.ap.credit_memos.create(CLERK, NewCreditMemo(vendor_id, f"CM-{w.next()}", w.today, "USD",
                                                          (NewCreditMemoLine(po_id, 1, Decimal(0), amount),)))
        except DomainError:
            return  # more than was billed: refused
        w.credits += 1
        event("credit memo")

    # -- payment runs and the bank ----------------------------------------------------------------------------
    @rule(release=st.sampled_from([True, True, True, False]), submit=st.sampled_from([True, True, False]))
    def pay(self, release: bool, submit: bool) -> None:
        """The day's payment run; usually released by a treasurer and submitted at once."""
        w = self.w
        before = len(w.payments.list_payments(limit=100_000))
        preview = w.payments.preview()
        assert len(w.payments.list_payments(limit=100_000)) == before, "a preview wrote payments"
        created = w.payments.create_run(created_by=CLERK.user_id)
        event("run created" if created.run else "run: nothing payable")
        made = w.payments.payments_of_run(created.run.id) if created.run and created.created else []
        if created.run and created.created:  # what the preview said is what the run does
            planned = sorted((p.vendor_id, p.kind.value, p.amount_minor) for p in preview.payments)
            assert planned == sorted((p.vendor_id, p.kind.value, p.amount_minor) for p in made), (planned, made)
        if release:
            for run in w.payments.list_runs(status=None, limit=50):
                if run.status.value == "draft":
                    try:
                        w.payments.release(RELEASER, run.id)
                    except DomainError:
                        pass  # a second treasurer needed, or a restraint: the run waits
        if submit:
            self._submit()

    @rule(k=st.integers(0, 99))
    def cancel_a_run(self, k: int) -> None:
        """A treasurer withdraws a run not yet submitted: its invoices are payable again."""
        w = self.w
        open_runs = [r for r in w.payments.list_runs(status=None, limit=50) if r.status.value in ("draft", "released")]
        if open_runs:
            w.payments.cancel(RELEASER, self._pick(open_runs, k).id, reason="paid by wire instead")
            event("run cancelled")

    def _submit(self) -> None:
        w = self.w
        before = {p.id: p.status.value for p in w.payments.list_payments(limit=100_000)}
        with w.container.uow(read_only=True) as uow:
            accounts = {a.account_id: a for v in w.vendors.values() for a in uow.bank_accounts.accounts_for_vendor(v)}
            holds = {v: w.container.bank_accounts.payment_holds(uow, v) for v in w.vendors.values()}
        w.payments.submit_released()
        sent_now = [p for p in w.payments.list_payments(limit=100_000)
                    if p.kind.value == "live" and p.status.value in inv.MONEY_OUT and before.get(p.id) != p.status.value
                    and before.get(p.id) in ("scheduled", "submitted")]
        inv.paid_only_to_cleared_accounts(w, sent_now, accounts, holds)
        if sent_now:
            event("payments sent")

    @rule(days=st.integers(1, 3))
    def next_day(self, days: int) -> None:
        w = self.w
        w.clock.advance(days=days)
        for job in ("payments_poll_status", "payments_prenote_relay", "bank_accounts_activate"):
            w.job(job)

    def _out(self) -> list:
        return [p for p in self.w.payments.list_payments(limit=100_000)
                if p.kind.value == "live" and p.status.value in inv.MONEY_OUT and p.effective_date <= self.w.today]

    @precondition(lambda self: self._out())
    @rule(k=st.integers(0, 99), code=st.sampled_from(["R01", "R03"]))
    def bank_returns(self, k: int, code: str) -> None:
        try:
            self.w.sandbox.return_payment(self._pick(self._out(), k).id, code, import_now=True, actor="bank")
            event(f"return {code}")
        except DomainError as exc:
            assert exc.code in ("already_sent", "bank_closed"), exc

    @precondition(lambda self: self._out())
    @rule(k=st.integers(0, 99))
    def bank_notifies_change(self, k: int) -> None:
        try:
            self.w.sandbox.notify_change(self._pick(self._out(), k).id, "C01", {"account_number": f"77{k:08d}"},
                                         import_now=True, actor="bank")
            event("notification of change")
        except DomainError as exc:
            assert exc.code in ("already_sent", "bank_closed"), exc

    @precondition(lambda self: self.w.statements_through < self.w.today - dt.timedelta(days=1))
    @rule()
    def mirror_the_bank(self) -> None:
        """Import the sandbox bank's statement of every business day that has ended; then Cash must tie out."""
        w = self.w
        calendar, day = w.payments.policy.calendar, w.statements_through
        while day < w.today - dt.timedelta(days=1):
            day += dt.timedelta(days=1)
            if calendar.is_business_day(day):  # a bank issues no statement on a weekend or holiday
                w.sandbox.statement(day, import_now=True, actor="bank")
        w.statements_through = day
        inv.reconciliation_ties_out(w, day)
        event("bank mirrored and tied out")

    @rule(vendor=st.integers(0, 2))
    def change_bank_account(self, vendor: int) -> None:
        w = self.w
        try:
            open_account(w.container, sorted(w.vendors.values())[vendor], f"55{w.next():08d}")
        except DomainError:
            pass  # a change already in progress for the vendor

    @rule()
    def verify_proposed_changes(self) -> None:
        """The notifications of change became change requests: someone calls back and a second person approves."""
        bank = self.w.container.bank_accounts
        for record in bank.list_changes(BANK_APPROVER, status=None):
            if record.change.status.value == "requested":
                try:
                    bank.record_callback(CALLER, record.change.change_id, number_called=PHONE, outcome="confirmed")
                    bank.approve(BANK_APPROVER, record.change.change_id)
                except DomainError:
                    pass

    @invariant()
    def money_is_right(self) -> None:
        SEEN["steps checked"] += 1
        inv.check_all(self.w)


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory):  # noqa: ANN001, ANN201
    root = tmp_path_factory.mktemp("money")
    return WorldTemplate(f"sqlite:///{root / 'unused.db'}", root)


def _histories(template: WorldTemplate, share: int = 1) -> None:
    machine = type("Histories", (MoneyMachine,), {"template": template})
    SEEN.clear()
    try:
        run_state_machine_as_test(machine, settings=settings(HISTORIES, max_examples=EXAMPLES // share))
    finally:
        print(f"\nmoney invariants: {dict(sorted(SEEN.items()))}")


def test_whole_flow_histories_keep_money_right_on_sqlite(sqlite_template):
    _histories(sqlite_template)


@pytest.mark.postgres
def test_whole_flow_histories_keep_money_right_on_postgres(pg_url, tmp_path):
    _histories(WorldTemplate(pg_url, tmp_path), share=2)  # half as many: each history costs ~3x SQLite's
