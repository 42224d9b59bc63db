"""A vendor's and a purchase order's prompt-pay terms (issue 18): what kind of payee the vendor is, which rule set a
contract follows when the law gives it its own, and whether an order is paid with federal or grant money.

- ``set_vendor`` (``vendor.update``): ``payee_kind`` is ``government``, ``state_agency`` or ``employee`` (None: a
  business); an act may not cover such payees (Texas: state agencies; Washington: governments and employees;
  Florida and New York: governments). ``rule_set`` names the rule set the vendor's contracts follow.
- ``set_po`` (``po.approve``): ``federally_funded`` and the day the money arrived (``funds_received_on``): Washington
  and Florida wait for it before the clock starts; Texas pays no interest when it came after the due date.
  ``rule_set`` names the rule set this contract follows (it wins over the vendor's).

Invoices not yet approved are matched again, so their due dates follow at once; an approved invoice keeps the
due date and rule it was approved with, except one whose clock had not started (its federal money had not come),
which is dated now. Each change is an audit event with the terms before and after.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from payments.ap.ap_deps import APDeps, require
from payments.ap.ap_ports import APUnitOfWork
from payments.ap.documents import InvoiceStatus
from payments.ap.matching.match_service import MATCHABLE, Matcher
from payments.ap.prompt_pay_errors import NotFederallyFunded, UnknownPayeeKind, UnknownPromptPayRuleSet
from payments.ap.prompt_pay_records import POPromptPay, VendorPromptPay
from payments.ap.prompt_pay_rules.catalog import rule_set_names
from payments.ap.prompt_pay_rules.model import PAYEE_KINDS
from payments.errors import DateInFuture
from payments.identity import Action, Principal, authorize


@dataclass(frozen=True, slots=True)
class VendorTerms:
    payee_kind: str | None = None
    rule_set: str | None = None


@dataclass(frozen=True, slots=True)
class POTerms:
    federally_funded: bool = False
    funds_received_on: dt.date | None = None
    rule_set: str | None = None


def _check_rule_set(name: str | None) -> None:
    if name is not None and name not in rule_set_names():
        raise UnknownPromptPayRuleSet(f"{name!r} is not a prompt-payment rule set; the rule sets are: "
                                      f"{', '.join(rule_set_names())}", field="rule_set")


class PromptPayTermsService:
    def __init__(self, deps: APDeps, matcher: Matcher) -> None:
        self._d = deps
        self._matcher = matcher

    # -- vendors -------------------------------------------------------------------------------------------
    def vendor(self, vendor_id: str) -> VendorPromptPay:
        with self._d.uow(read_only=True) as uow:
            require(uow.vendors.get(vendor_id), "vendor", vendor_id)
            return uow.prompt_pay.vendor_terms([vendor_id]).get(vendor_id, VendorPromptPay(vendor_id))

    def set_vendor(self, principal: Principal, vendor_id: str, cmd: VendorTerms, *,
                   expected_version: int) -> VendorPromptPay:
        authorize(principal, Action.VENDOR_UPDATE)
        if cmd.payee_kind is not None and cmd.payee_kind not in PAYEE_KINDS:
            raise UnknownPayeeKind(f"payee_kind is one of {', '.join(sorted(PAYEE_KINDS))}, or null for a business",
                                   field="payee_kind")
        _check_rule_set(cmd.rule_set)
        with self._d.uow() as uow:
            require(uow.vendors.get(vendor_id), "vendor", vendor_id)
            before = uow.prompt_pay.vendor_terms([vendor_id]).get(vendor_id, VendorPromptPay(vendor_id))
            after = VendorPromptPay(vendor_id, cmd.payee_kind, cmd.rule_set, expected_version + 1,
                                    self._d.stamp(principal))
            uow.prompt_pay.save_vendor_terms(after, expected_version=expected_version)
            self._d.record(uow, principal, "vendor_prompt_pay_set", vendor_id,
                           {"payee_kind": before.payee_kind, "rule_set": before.rule_set},
                           {"payee_kind": after.payee_kind, "rule_set": after.rule_set})
            if before.rule_set != after.rule_set:
                ids = [r.invoice.id for s in MATCHABLE
                       for r in uow.invoices.list(after=None, limit=100_000, status=s.value, vendor_id=vendor_id)]
                self._matcher.rematch_in(uow, ids, trigger="prompt_pay_terms", document=vendor_id)
            uow.commit()
        return after

    # -- purchase orders -----------------------------------------------------------------------------------
    def po(self, po_id: str) -> POPromptPay:
        with self._d.uow(read_only=True) as uow:
            require(uow.purchase_orders.get(po_id), "purchase order", po_id)
            return uow.prompt_pay.po_terms([po_id]).get(po_id, POPromptPay(po_id))

    def set_po(self, principal: Principal, po_id: str, cmd: POTerms, *, expected_version: int) -> POPromptPay:
        authorize(principal, Action.PO_APPROVE)
        _check_rule_set(cmd.rule_set)
        if cmd.funds_received_on is not None:
            if not cmd.federally_funded:
                raise NotFederallyFunded("only a federally funded order waits for federal money", field="funds_received_on")
            if cmd.funds_received_on > self._d.today():
                raise DateInFuture(f"funds_received_on {cmd.funds_received_on.isoformat()} is in the future",
                                   field="funds_received_on")
        with self._d.uow() as uow:
            require(uow.purchase_orders.get(po_id), "purchase order", po_id)
            before = uow.prompt_pay.po_terms([po_id]).get(po_id, POPromptPay(po_id))
            after = POPromptPay(po_id, cmd.federally_funded, cmd.funds_received_on, cmd.rule_set, expected_version + 1,
                                self._d.stamp(principal))
            uow.prompt_pay.save_po_terms(after, expected_version=expected_version)
            self._d.record(uow, principal, "po_prompt_pay_set", po_id, _po_doc(before), _po_doc(after))
            self._redate(uow, po_id)
            uow.commit()
        return after

    def _redate(self, uow: APUnitOfWork, po_id: str) -> None:
        """Invoices on the order not yet approved are matched again; approved ones still waiting get a clock."""
        self._matcher.rematch_in(uow, uow.invoices.ids_to_rematch([po_id], MATCHABLE), trigger="prompt_pay_terms",
                                 document=po_id)
        self._matcher.redate_in(uow, uow.invoices.ids_to_rematch([po_id], [InvoiceStatus.APPROVED]))


def _po_doc(t: POPromptPay) -> dict[str, object]:
    return {"federally_funded": t.federally_funded,
            "funds_received_on": t.funds_received_on.isoformat() if t.funds_received_on else None,
            "rule_set": t.rule_set}


__all__ = ["POTerms", "PromptPayTermsService", "VendorTerms"]
