"""Purchase orders: enter, approve (funds check, then encumber), change by new version (a version that commits more
goes back to approval: ``payments.ap.po_changes``), close (release the rest), reopen a closed one (encumber again
what is not yet accrued); finally closed is for good."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from payments.ap.ap_deps import APDeps, client_id, document_vendor, replay, require
from payments.ap.ap_errors import (DuplicateNumber, FiscalYearNotOpen, InvalidDocument, LineHasActivity, PONotOpen,
                                   StaleState, VendorNotActive)
from payments.ap.ap_ports import APUnitOfWork
from payments.ap.ap_postings import EncumbranceChange, encumbrance_entry
from payments.ap.ap_records import LineBudget, PORecord, POVersion, content_digest, new_id
from payments.ap.budget_service import check_funds
from payments.controls import check_not_own_work
from payments.ap.documents import (ENCUMBERING_PO_STATUSES, AccountCoding, POStatus, PurchaseOrder, VendorStatus,
                                   transition)
from payments.identity import Action, Principal, authorize
from payments.ap.po_changes import change_raises
from payments.ap.po_lines import NewPOLine, line_snapshot, rebalance, validate_lines


@dataclass(frozen=True, slots=True)
class NewPurchaseOrder:
    number: str
    vendor_id: str
    currency: str
    lines: tuple[NewPOLine, ...]
    max_total_minor: int | None = None
    description: str = ""
    fiscal_year: int | None = None  # the appropriation year to charge; None: the year it is entered in


@dataclass(frozen=True, slots=True)
class ChangeOrder:
    """A new version of the lines (all of them) and ceiling, with why."""

    expected_version: int
    lines: tuple[NewPOLine, ...]
    reason: str
    max_total_minor: int | None = None


def _version(po: PurchaseOrder, reason: str, stamp: Any, entry_id: str | None = None) -> POVersion:
    return POVersion(po.id, po.version, reason, po.total_minor, po.max_total_minor,
                     tuple(line_snapshot(line) for line in po.lines), stamp, entry_id)


class PurchaseOrderService:
    def __init__(self, deps: APDeps) -> None:
        self._d = deps

    def _year(self, record: PORecord) -> int:
        """The year whose appropriation the order is checked against (an order from before fiscal years were
        kept: the current one)."""
        return record.fiscal_year if record.fiscal_year is not None else self._d.policies.fiscal_year_of(self._d.today())

    # -- enter ---------------------------------------------------------------------------------------------
    def create(self, principal: Principal, cmd: NewPurchaseOrder, *, id: str | None = None) -> tuple[PORecord, bool]:
        with self._d.uow() as uow:
            record, created = self.create_in(uow, principal, cmd, id=id)
            uow.commit()
        return record, created

    def create_in(self, uow: APUnitOfWork, principal: Principal, cmd: NewPurchaseOrder, *,
                  id: str | None = None) -> tuple[PORecord, bool]:
        authorize(principal, Action.PO_CREATE)
        po_id = client_id("purchase_order", id)
        digest = content_digest(cmd)
        if po_id is not None and (existing := uow.purchase_orders.get(po_id)) is not None:
            return replay("purchase order", existing, digest), False
        number = cmd.number.strip()
        if not number or len(number) > 40:
            raise InvalidDocument("number must be 1-40 characters", field="number")
        document_vendor(uow, cmd.vendor_id, cmd.currency,
                        refused=[s for s in VendorStatus if s is not VendorStatus.ACTIVE])
        if cmd.max_total_minor is not None and cmd.max_total_minor < 0:
            raise InvalidDocument("max_total may not be negative", field="max_total")
        lines = validate_lines(uow, cmd.lines)
        fiscal_year = cmd.fiscal_year if cmd.fiscal_year is not None else self._d.policies.fiscal_year_of(self._d.today())
        open_years = self._d.policies.po_fiscal_years(self._d.today())
        if fiscal_year not in open_years:
            # A year far off would be checked against a budget line nobody has set or watches yet.
            raise FiscalYearNotOpen(f"fiscal_year {fiscal_year} is not open for purchase orders (FY{open_years[0]}"
                                    f"-FY{open_years[-1]})", field="fiscal_year")
        if uow.purchase_orders.get_by_number(number) is not None:
            raise DuplicateNumber("purchase order", number)
        stamp = self._d.stamp(principal)
        po = PurchaseOrder(po_id or new_id("purchase_order"), cmd.vendor_id, cmd.currency, lines, POStatus.DRAFT, 1,
                           cmd.max_total_minor)
        record = PORecord(po, number, cmd.description, created=stamp,
                          budget={line.line_no: LineBudget() for line in lines}, create_digest=digest,
                          fiscal_year=fiscal_year)
        uow.purchase_orders.add(record, _version(po, "entered", stamp))
        self._d.record(uow, principal, "po_created", po.id, None, {"number": number, "total_minor": po.total_minor,
                                                                  "fiscal_year": fiscal_year})
        return record, True

    # -- approve -------------------------------------------------------------------------------------------
    def approve(self, principal: Principal, po_id: str) -> PORecord:
        with self._d.uow() as uow:
            record = self.approve_in(uow, principal, po_id)
            uow.commit()
        return record

    def approve_in(self, uow: APUnitOfWork, principal: Principal, po_id: str) -> PORecord:
        authorize(principal, Action.PO_APPROVE)
        record = require(uow.purchase_orders.get(po_id, for_update=True), "purchase order", po_id)
        po = record.po
        transition(po.status, POStatus.APPROVED)
        check_not_own_work(principal, document=f"purchase order {record.number}", entered_by=record.created.by or "",
                           last_changed_by=record.updated.by)
        if po.status is POStatus.PENDING_APPROVAL:  # nor anyone who wrote a version since it was last approved
            for author in self._authors_since_approval(uow, record):
                check_not_own_work(principal, document=f"purchase order {record.number}", entered_by=author)
        vendor = uow.vendors.get(po.vendor_id)
        if vendor is None or vendor.vendor.status is not VendorStatus.ACTIVE:
            raise VendorNotActive(po.vendor_id, vendor.vendor.status.value if vendor else "missing")
        uow.ledger.lock_head()  # the funds check and the encumbrance happen under one lock of the journal
        budgets: dict[int, LineBudget] = {}
        changes: list[EncumbranceChange] = []
        needs: dict[AccountCoding, int] = {}
        for line in po.lines:
            budgets[line.line_no], delta = rebalance(line, record.budget.get(line.line_no, LineBudget()))
            changes.append(EncumbranceChange(line.coding, delta))
            needs[line.coding] = needs.get(line.coding, 0) + delta
        year = self._year(record)
        check_funds(uow, needs, po.currency, year)
        stamp = self._d.stamp(principal)
        change = po.status is POStatus.PENDING_APPROVAL
        entry = encumbrance_entry("po_changed" if change else "po_encumbered", changes, currency=po.currency,
                                  effective_date=self._d.today(),
                                  memo=f"purchase order {record.number} " + (
                                      f"version {po.version} approved" if change else "approved"),
                                  references={"purchase_order": po.id, "vendor": po.vendor_id},
                                  fiscal_year=year)
        # A draft from before fiscal years were kept is charged to the year it is approved in, from now on.
        uow.purchase_orders.set_status(po.id, po.status, POStatus.APPROVED, approved=stamp,
                                       fiscal_year=year if record.fiscal_year is None else None)
        uow.purchase_orders.set_line_budgets(po.id, budgets)
        self._d.post(uow, [entry])
        self._d.record(uow, principal, "po_change_approved" if change else "po_approved", po.id,
                       {"status": po.status.value}, {"status": "approved"},
                       detail={"encumbered_minor": sum(c.amount_minor for c in changes), "version": po.version})
        return replace(record, po=replace(po, status=POStatus.APPROVED), approved=stamp, budget=budgets,
                       fiscal_year=year)

    # -- change orders -------------------------------------------------------------------------------------
    def change(self, principal: Principal, po_id: str, cmd: ChangeOrder) -> PORecord:
        with self._d.uow() as uow:
            record = self.change_in(uow, principal, po_id, cmd)
            uow.commit()
        return record

    def change_in(self, uow: APUnitOfWork, principal: Principal, po_id: str, cmd: ChangeOrder) -> PORecord:
        authorize(principal, Action.PO_CREATE)
        record = require(uow.purchase_orders.get(po_id, for_update=True), "purchase order", po_id)
        po = record.po
        if po.status not in (POStatus.DRAFT, *ENCUMBERING_PO_STATUSES):
            raise PONotOpen(po.id, po.status.value)
        if not cmd.reason.strip():
            raise InvalidDocument("a change order needs a reason", field="reason")
        if cmd.expected_version != po.version:
            raise StaleState("purchase order", po.id, f"version {cmd.expected_version}")
        lines = validate_lines(uow, cmd.lines)
        new_lines = {line.line_no: line for line in lines}
        activity = uow.purchase_orders.activity(po.id)
        for old in po.lines:
            received, billed = activity.get(old.line_no, (0, 0))
            new = new_lines.get(old.line_no)
            if new is None and (received or billed or record.budget.get(old.line_no, LineBudget()).accrued_minor):
                raise LineHasActivity(po.id, old.line_no, "it has receipts or invoices and cannot be removed")
            if new is None:
                continue
            if new.quantity < max(received, billed):
                raise LineHasActivity(po.id, old.line_no, f"{max(received, billed)} already received or billed")
            if po.status in ENCUMBERING_PO_STATUSES and new.coding != old.coding:
                raise LineHasActivity(po.id, old.line_no, "an approved line keeps its coding; add a new line")
        raised = change_raises(po, lines, cmd.max_total_minor) if po.status is POStatus.APPROVED else []
        # A rise goes back to approval by someone else; while it waits, later versions wait with it.
        status = POStatus.PENDING_APPROVAL if raised or po.status is POStatus.PENDING_APPROVAL else po.status
        changed = replace(po, lines=lines, version=po.version + 1, max_total_minor=cmd.max_total_minor,
                          status=status)
        budgets: dict[int, LineBudget] = {}
        changes: list[EncumbranceChange] = []
        needs: dict[AccountCoding, int] = {}
        if po.status in ENCUMBERING_PO_STATUSES:
            uow.ledger.lock_head()
            for line in lines:
                before = record.budget.get(line.line_no, LineBudget())
                budgets[line.line_no], delta = rebalance(line, before)
                if status is POStatus.PENDING_APPROVAL and delta > 0:
                    budgets[line.line_no] = before  # encumbered when the version is approved (approve_in)
                    continue
                changes.append(EncumbranceChange(line.coding, delta))
                needs[line.coding] = needs.get(line.coding, 0) + delta
            for old in po.lines:
                if old.line_no not in new_lines:  # removed: release what it held
                    left = record.budget.get(old.line_no, LineBudget()).encumbered_minor
                    changes.append(EncumbranceChange(old.coding, -left))
                    needs[old.coding] = needs.get(old.coding, 0) - left
            check_funds(uow, needs, po.currency, self._year(record))
        else:
            budgets = {line.line_no: LineBudget() for line in lines}
        stamp = self._d.stamp(principal)
        entry = encumbrance_entry("po_changed", changes, currency=po.currency, effective_date=self._d.today(),
                                  memo=f"purchase order {record.number} version {changed.version}: {cmd.reason.strip()}",
                                  references={"purchase_order": po.id, "vendor": po.vendor_id},
                                  fiscal_year=record.fiscal_year)
        ids = self._d.post(uow, [entry])
        uow.purchase_orders.replace(changed, expected_version=po.version, budgets=budgets,
                                    version=_version(changed, cmd.reason.strip(), stamp, ids[0] if ids else None),
                                    updated=stamp)
        if status is not po.status:
            transition(po.status, status)
            uow.purchase_orders.set_status(po.id, po.status, status)
        self._d.record(uow, principal, "po_changed", po.id, {"version": po.version, "total_minor": po.total_minor,
                                                            "status": po.status.value},
                       {"version": changed.version, "total_minor": changed.total_minor, "status": status.value},
                       detail={"reason": cmd.reason, "needs_approval": raised})
        return replace(record, po=changed, updated=stamp, budget=budgets)

    @staticmethod
    def _authors_since_approval(uow: APUnitOfWork, record: PORecord) -> set[str]:
        """Who wrote a version of the order since it was last approved (times are fixed-width UTC text; a version
        stamped the same instant counts, erring towards excluding one person too many)."""
        since = record.approved.at or ""
        return {v.changed.by for v in uow.purchase_orders.versions(record.po.id)
                if v.changed.by and (v.changed.at or "") >= since}

    # -- close ---------------------------------------------------------------------------------------------
    def close(self, principal: Principal, po_id: str, *, final: bool, reason: str) -> PORecord:
        with self._d.uow() as uow:
            record = self.close_in(uow, principal, po_id, final=final, reason=reason)
            uow.commit()
        return record

    def close_in(self, uow: APUnitOfWork, principal: Principal, po_id: str, *, final: bool, reason: str) -> PORecord:
        authorize(principal, Action.PO_CLOSE)
        record = require(uow.purchase_orders.get(po_id, for_update=True), "purchase order", po_id)
        po = record.po
        target = POStatus.FINALLY_CLOSED if final else POStatus.CLOSED
        transition(po.status, target)
        if not reason.strip():
            raise InvalidDocument("closing a purchase order needs a reason", field="reason")
        budgets, changes = {}, []
        for line in po.lines:
            budgets[line.line_no], delta = rebalance(line, record.budget.get(line.line_no, LineBudget()), open_=False)
            changes.append(EncumbranceChange(line.coding, delta))
        stamp = self._d.stamp(principal)
        entry = encumbrance_entry("po_closed", changes, currency=po.currency, effective_date=self._d.today(),
                                  memo=f"purchase order {record.number} closed: {reason.strip()}",
                                  references={"purchase_order": po.id, "vendor": po.vendor_id},
                                  fiscal_year=record.fiscal_year)
        uow.purchase_orders.set_status(po.id, po.status, target, closed=stamp, close_reason=reason.strip())
        uow.purchase_orders.set_line_budgets(po.id, budgets)
        self._d.post(uow, [entry])
        released = -sum(c.amount_minor for c in changes)
        self._d.record(uow, principal, "po_closed", po.id, {"status": po.status.value}, {"status": target.value},
                       detail={"released_minor": released, "reason": reason.strip()})
        return replace(record, po=replace(po, status=target), closed=stamp, close_reason=reason.strip(), budget=budgets)

    # -- reopen --------------------------------------------------------------------------------------------
    def reopen(self, principal: Principal, po_id: str, *, reason: str) -> PORecord:
        with self._d.uow() as uow:
            record = self.reopen_in(uow, principal, po_id, reason=reason)
            uow.commit()
        return record

    def reopen_in(self, uow: APUnitOfWork, principal: Principal, po_id: str, *, reason: str) -> PORecord:
        """A closed (not finally closed) order takes activity again: what it has not yet accrued is encumbered
        again, against its own year's appropriation, which must still have it."""
        authorize(principal, Action.PO_APPROVE)
        record = require(uow.purchase_orders.get(po_id, for_update=True), "purchase order", po_id)
        po = record.po
        transition(po.status, POStatus.APPROVED)
        if po.status is not POStatus.CLOSED:
            raise PONotOpen(po.id, po.status.value)  # a draft is approved, not reopened
        if not reason.strip():
            raise InvalidDocument("reopening a purchase order needs a reason", field="reason")
        uow.ledger.lock_head()
        budgets: dict[int, LineBudget] = {}
        changes: list[EncumbranceChange] = []
        needs: dict[AccountCoding, int] = {}
        for line in po.lines:
            budgets[line.line_no], delta = rebalance(line, record.budget.get(line.line_no, LineBudget()))
            changes.append(EncumbranceChange(line.coding, delta))
            needs[line.coding] = needs.get(line.coding, 0) + delta
        check_funds(uow, needs, po.currency, self._year(record))
        entry = encumbrance_entry("po_reopened", changes, currency=po.currency, effective_date=self._d.today(),
                                  memo=f"purchase order {record.number} reopened: {reason.strip()}",
                                  references={"purchase_order": po.id, "vendor": po.vendor_id},
                                  fiscal_year=record.fiscal_year)
        uow.purchase_orders.set_status(po.id, POStatus.CLOSED, POStatus.APPROVED)
        uow.purchase_orders.set_line_budgets(po.id, budgets)
        self._d.post(uow, [entry])
        self._d.record(uow, principal, "po_reopened", po.id, {"status": "closed"}, {"status": "approved"},
                       detail={"encumbered_minor": sum(c.amount_minor for c in changes), "reason": reason.strip()})
        return replace(record, po=replace(po, status=POStatus.APPROVED), budget=budgets)

    # -- read ----------------------------------------------------------------------------------------------
    def get(self, po_id: str) -> PORecord:
        with self._d.uow(read_only=True) as uow:
            return require(uow.purchase_orders.get(po_id), "purchase order", po_id)

    def list(self, *, after: str | None, limit: int, vendor_id: str | None = None,
             status: str | None = None) -> list[PORecord]:
        with self._d.uow(read_only=True) as uow:
            return uow.purchase_orders.list(after=after, limit=limit, vendor_id=vendor_id, status=status)

    def versions(self, po_id: str) -> Sequence[POVersion]:
        with self._d.uow(read_only=True) as uow:
            require(uow.purchase_orders.get(po_id), "purchase order", po_id)
            return uow.purchase_orders.versions(po_id)

