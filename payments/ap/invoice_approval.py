"""Releasing holds by hand, overriding a suspected duplicate, and approving an invoice for payment.

Approval applies ``payments.controls``: the person who entered or last changed an invoice never approves it,
and above the policy threshold two distinct people must. The approval that completes the set moves the invoice
to ``approved`` and posts ``invoice_approved`` carrying the digest of the match result and its policy version,
so that anyone holding the journal can replay the decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from payments.ap.ap_deps import APDeps, require
from payments.ap.ap_errors import (BudgetOverrideRequired, HoldNotOpen, InsufficientFunds, InvoiceNotReady,
                                   NoBudgetHold, NoDuplicateHold, ResolveTheDispute, UncodedLine)
from payments.ap.ap_ports import APUnitOfWork
from payments.ap.budget_holds import INSUFFICIENT_FUNDS, hold_for_budget, overridden, shortfall
from payments.ap.ap_postings import ApprovedLine, invoice_approved_entry
from payments.ap.ap_records import HoldRecord, InvoiceRecord, LineBudget
from payments.controls import (Approval, HoldReleaseReasonRequired, InvoiceForApproval, approve_invoice,
                               check_can_release_hold, check_not_own_work, is_fully_approved)
from payments.ap.documents import ENCUMBERING_PO_STATUSES, InvoiceStatus, MatchLevel, transition
from payments.ap.amounts import extend_minor
from payments.identity import Action, Principal, authorize
from payments.ap.invoice_service import InvoiceView, view_in
from payments.ap.matching.match_findings import Hold
from payments.ap.matching.match_service import Matcher
from payments.ap.split_check import hold_split_in, release_split_in, split_signal_in
from payments.ap.po_lines import rebalance
from payments.ap.prompt_pay_records import DISPUTE_HOLD


@dataclass(frozen=True, slots=True)
class ApprovalOutcome:
    view: InvoiceView
    fully_approved: bool
    entry_id: str | None
    # The approval would overrun a budget line: not recorded; the invoice holds ``insufficient_funds`` instead.
    budget_shortfall: InsufficientFunds | None = None


class InvoiceApprovalService:
    def __init__(self, deps: APDeps, matcher: Matcher) -> None:
        self._d = deps
        self._matcher = matcher

    # -- holds ---------------------------------------------------------------------------------------------
    def release_hold(self, principal: Principal, invoice_id: str, hold_id: str, reason: str | None) -> InvoiceView:
        with self._d.uow() as uow:
            reason = self._may_release(principal, require(uow.invoices.get(invoice_id), "invoice", invoice_id), reason)
            holds = [h for h in uow.invoices.holds(invoice_id, status="open") if h.id == hold_id]
            if not holds:
                raise HoldNotOpen(hold_id)
            if holds[0].hold == DISPUTE_HOLD:  # the dispute's resolution releases it, and says for whom
                raise ResolveTheDispute(f"hold {hold_id} is an open dispute: resolve the dispute instead "
                                        f"(POST /v1/invoices/{invoice_id}/disputes/{{id}}:resolve)")
            if holds[0].hold == INSUFFICIENT_FUNDS:  # spending beyond the budget is the treasurer's to allow
                raise BudgetOverrideRequired(f"hold {hold_id} is an insufficient_funds hold: only a treasurer may override it "
                                             f"(POST /v1/invoices/{invoice_id}:override-budget)")
            self._release(uow, principal, invoice_id, holds, reason, action="invoice_hold_released")
            view = view_in(uow, self._d, invoice_id)
            uow.commit()
        return view

    def override_duplicate(self, principal: Principal, invoice_id: str, reason: str | None) -> InvoiceView:
        """Say a suspected duplicate is a different bill: every open duplicate hold released, with the reason."""
        with self._d.uow() as uow:
            reason = self._may_release(principal, require(uow.invoices.get(invoice_id), "invoice", invoice_id), reason)
            holds = [h for h in uow.invoices.holds(invoice_id, status="open")
                     if h.hold == Hold.DUPLICATE_SUSPECTED.value]
            if not holds:
                raise NoDuplicateHold(f"invoice {invoice_id} has no open duplicate hold")
            self._release(uow, principal, invoice_id, holds, reason, action="invoice_duplicate_overridden")
            view = view_in(uow, self._d, invoice_id)
            uow.commit()
        return view

    def override_budget(self, principal: Principal, invoice_id: str, reason: str | None) -> InvoiceView:
        """A treasurer allows this invoice's approval to spend beyond its budget line: the open ``insufficient_funds``
        hold released, with the reason, in the audit trail (``invoice_budget_overridden``)."""
        authorize(principal, Action.BUDGET_MANAGE)
        with self._d.uow() as uow:
            rec = require(uow.invoices.get(invoice_id), "invoice", invoice_id)
            check_not_own_work(principal, document=f"invoice {invoice_id}", entered_by=rec.entered.by or "",
                               last_changed_by=rec.last_changed.by)
            reason = (reason or "").strip()
            if not reason:
                raise HoldReleaseReasonRequired()
            holds = [h for h in uow.invoices.holds(invoice_id, status="open") if h.hold == INSUFFICIENT_FUNDS]
            if not holds:
                raise NoBudgetHold(f"invoice {invoice_id} has no open insufficient_funds hold")
            self._release(uow, principal, invoice_id, holds, reason, action="invoice_budget_overridden")
            view = view_in(uow, self._d, invoice_id)
            uow.commit()
        return view

    @staticmethod
    def _may_release(principal: Principal, rec: InvoiceRecord, reason: str | None) -> str:
        """Who entered or last changed the invoice never waives its controls."""
        return check_can_release_hold(principal, reason=reason, document=f"invoice {rec.invoice.id}",
                                      entered_by=rec.entered.by or "", last_changed_by=rec.last_changed.by)

    def _release(self, uow: APUnitOfWork, principal: Principal, invoice_id: str, holds: Iterable[HoldRecord], reason: str,
                 *, action: str) -> None:
        at = self._d.now_text()
        for hold in holds:
            uow.invoices.release_hold(hold.id, released_by=principal.user_id, at=at, reason=reason, kind="manual")
            self._d.record(uow, principal, action, invoice_id, {"hold": hold.hold, "status": "open"},
                           {"hold": hold.hold, "status": "released"},
                           detail={"hold_id": hold.id, "subject": hold.subject, "reason": reason})
        # The release covers the finding as it was; re-matching applies it (and moves the invoice if it was the last).
        self._matcher.rematch_in(uow, [invoice_id], trigger="manual_release", document=invoice_id)

    # -- approve -------------------------------------------------------------------------------------------
    def approve(self, principal: Principal, invoice_id: str) -> ApprovalOutcome:
        """Approve; refused with ``insufficient_funds`` (the hold kept) when it would overrun the budget line."""
        with self._d.uow() as uow:
            outcome = self.approve_in(uow, principal, invoice_id)
            uow.commit()
        if outcome.budget_shortfall is not None:
            raise outcome.budget_shortfall
        return outcome

    def approve_in(self, uow: APUnitOfWork, principal: Principal, invoice_id: str) -> ApprovalOutcome:
        rec = require(uow.invoices.get(invoice_id), "invoice", invoice_id)
        inv = rec.invoice
        if inv.status is not InvoiceStatus.MATCHED:
            raise InvoiceNotReady(invoice_id, inv.status.value)
        now = self._d.now()
        split = split_signal_in(uow, self._d, inv)  # parts of a split purchase need the second approver too
        facts = InvoiceForApproval(
            invoice_id, inv.vendor_id, inv.total_minor, inv.currency, entered_by=rec.entered.by or "",
            last_changed_by=rec.last_changed.by,
            approvals=tuple(Approval(who, at) for who, at in uow.invoices.approvals(invoice_id, rec.version)),
            split_suspected=split is not None)
        updated = approve_invoice(principal, facts, policy=self._d.policies.approval,
                                  restraints=self._d.restraints(uow, inv.vendor_id), now=now)
        at = self._d.now_text()
        done = is_fully_approved(updated, self._d.policies.approval)
        lines, budgets = self._approved_lines(uow, rec) if done else ([], {})
        if done:
            uow.ledger.lock_head()  # the funds check and the approval's posting under one lock, as an order's
            short = shortfall(uow, lines, inv.currency, self._d.policies.fiscal_year_of(self._d.today()))
            if short is not None and short[1] > overridden(uow, invoice_id):
                hold_for_budget(uow, invoice_id, short[0], short[1], at=at)
                self._d.record(uow, principal, "invoice_budget_exceeded", invoice_id, None, None,
                               detail={"need_minor": short[1], "coding": short[0].details["coding"],
                                       "available_minor": short[0].details["available_minor"]})
                return ApprovalOutcome(view_in(uow, self._d, invoice_id), False, None, short[0])
        uow.invoices.add_approval(invoice_id, rec.version, principal.user_id, at)
        entry_id = None
        if split is not None and not done and hold_split_in(uow, split, at=at):
            self._d.record(uow, principal, "invoice_split_suspected", invoice_id, None, None,
                           detail={k: v for k, v in split.facts().items() if k != "explanation"})
        if done:
            release_split_in(uow, invoice_id, by=principal.user_id, at=at)
            transition(inv.status, InvoiceStatus.APPROVED)
            entry_id = self._post_approval(uow, rec, sorted(updated.approver_ids), lines, budgets)
            uow.invoices.set_status(invoice_id, InvoiceStatus.MATCHED, InvoiceStatus.APPROVED,
                                    approval_entry_id=entry_id or "", approved_at=at)
        self._d.record(uow, principal, "invoice_approved" if done else "invoice_approval_added", invoice_id,
                       {"status": inv.status.value, "approvals": len(facts.approvals)},
                       {"status": "approved" if done else inv.status.value, "approvals": len(updated.approvals)})
        return ApprovalOutcome(view_in(uow, self._d, invoice_id), done, entry_id)

    def _approved_lines(self, uow: APUnitOfWork, rec: InvoiceRecord
                        ) -> tuple[list[ApprovedLine], dict[tuple[str, int], LineBudget]]:
        """The invoice's lines as approval posts them, and the 2-way lines' new budgetary state."""
        inv = rec.invoice
        pos = {po_id: uow.purchase_orders.get(po_id, for_update=True) for po_id in inv.po_ids}
        lines: list[ApprovedLine] = []
        budgets: dict[tuple[str, int], LineBudget] = {}
        for i, line in enumerate(inv.lines):
            po = pos.get(line.po_id or "")
            po_line = po.po.line(line.po_line_no) if po is not None and line.po_line_no is not None else None
            if po is None or po_line is None:
                raise UncodedLine(f"line {line.line_no} bills no purchase order line we have, so it has no coding",
                                  field=f"lines[{i}]")
            at_po_price = extend_minor(line.quantity, po_line.unit_price_minor)
            two_way = po_line.match_level is MatchLevel.TWO_WAY
            delta = 0
            if two_way:
                key = (po.po.id, po_line.line_no)
                budget = budgets.get(key) or po.budget.get(po_line.line_no, LineBudget())
                budgets[key], delta = rebalance(po_line, budget, at_po_price,
                                                open_=po.po.status in ENCUMBERING_PO_STATUSES)
            lines.append(ApprovedLine(po_line.coding, line.amount_minor, at_po_price, two_way, delta, po.fiscal_year))
        return lines, budgets

    def _post_approval(self, uow: APUnitOfWork, rec: InvoiceRecord, approvers: list[str], lines: list[ApprovedLine],
                       budgets: dict[tuple[str, int], LineBudget]) -> str | None:
        inv = rec.invoice
        released = [{"hold": h.hold, "rule": h.rule, "subject": h.subject, "released_by": h.released_by or "",
                     "reason": h.reason or ""} for h in uow.invoices.holds(inv.id) if h.release_kind == "manual"]
        entry = invoice_approved_entry(
            lines, currency=inv.currency, effective_date=self._d.today(),
            memo=f"invoice {inv.invoice_number} approved for payment",
            references={"invoice": inv.id, "vendor": inv.vendor_id},
            data={"match_result_id": rec.match_result_id or "", "match_digest": rec.match_digest or "",
                  "policy_version": rec.policy_version or "", "invoice_version": rec.version,
                  "total_minor": inv.total_minor, "approvers": approvers, "released_holds": released})
        for (po_id, line_no), budget in budgets.items():
            uow.purchase_orders.set_line_budgets(po_id, {line_no: budget})
        ids = self._d.post(uow, [entry])
        return ids[0] if ids else None
