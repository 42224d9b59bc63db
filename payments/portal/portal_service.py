"""The vendor portal's use cases: a vendor reads its own invoices and payments, and submits invoices.

The vendor is always the caller's binding (``Principal.vendor_id``), never a parameter. Every read filters by it
in the query (``PortalQueries``), so another vendor's invoice or payment is not found, with the same error as one
that does not exist: nothing depends on ids being hard to guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from payments.errors import NotFound
from payments.identity import Action, Principal, authorize
from payments.ap.invoice_service import InvoiceService, NewInvoice, NewInvoiceLine
from payments.disbursements.payment_records import PaymentRecord
from payments.portal.portal_errors import InvalidStatusFilter, UnknownPurchaseOrder
from payments.portal.portal_messages import VendorContext
from payments.people.identity_ports import IdentityUnitOfWork
from payments.portal.portal_ports import PaymentFacts, PortalQueries, PortalUnitOfWork
from payments.portal.portal_status import PaidWith
from payments.portal.portal_timeline import InterestRules, InvoiceForVendor, invoice_for_vendor
from payments.ports import Clock, UowFactory

# The words ``vendor_status`` says an invoice's status in: what ``GET /v1/portal/invoices?status=`` accepts.
VENDOR_STATUSES = frozenset({"received", "held", "matched", "approved", "scheduled", "sent", "paid", "returned",
                             "returned_to_vendor", "cancelled"})

# The vendor-level holds on paying it (``BankAccountService.payment_holds``): no active account, a shared one.
BankHolds = Callable[[IdentityUnitOfWork, str], list[str]]


class InvoiceNotFound(NotFound):
    """No such invoice for this vendor (whether it does not exist or is another vendor's: the same answer)."""

    code = "invoice_not_found"

    def __init__(self, invoice_id: str) -> None:
        super().__init__(f"invoice {invoice_id} was not found")


class PaymentNotFound(NotFound):
    """No such payment for this vendor (whether it does not exist or is another vendor's: the same answer)."""

    code = "payment_not_found"

    def __init__(self, payment_id: str) -> None:
        super().__init__(f"payment {payment_id} was not found")


class NotAVendor(NotFound):
    """A portal call by someone bound to no vendor; the authorization table already refuses it, this is a second lock."""

    code = "not_found"

    def __init__(self) -> None:
        super().__init__("not found")


@dataclass(frozen=True, slots=True)
class VendorInvoiceLine:
    line_no: int
    po_number: str | None
    po_line_no: int | None
    quantity: Decimal
    unit_price_minor: Decimal
    description: str = ""
    unit_of_measure: str | None = None


@dataclass(frozen=True, slots=True)
class VendorInvoice:
    """What a vendor may say about its own invoice. Not the vendor, the received date, a status or a file digest:
    the vendor is the caller's, the received date is the day we got it, and the rest is ours to decide."""

    invoice_number: str
    invoice_date: dt.date | None
    currency: str
    lines: tuple[VendorInvoiceLine, ...]
    terms: str = ""
    stated_total_minor: int | None = None
    remit_to: str = ""
    defect_contact: str = ""


@dataclass(frozen=True, slots=True)
class PaymentForVendor:
    payment: PaymentRecord
    facts: PaymentFacts
    account_last4: str | None
    invoice_dates: dict[str, str | None]


def _vendor(principal: Principal) -> str:
    if not principal.is_vendor or not principal.vendor_id:
        raise NotAVendor()
    return principal.vendor_id


class VendorPortal:
    def __init__(self, uow_factory: UowFactory[PortalUnitOfWork], clock: Clock, invoices: InvoiceService,
                 rules: InterestRules, bank_holds: BankHolds | None = None) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._invoices = invoices
        self._rules = rules
        self._bank_holds = bank_holds or (lambda _uow, _vendor_id: [])

    # -- invoices --------------------------------------------------------------------------------------
    def list_invoices(self, principal: Principal, *, after: str | None, limit: int, status: str | None = None,
                      invoice_number: str | None = None) -> list[InvoiceForVendor]:
        """This vendor's invoices in id order after ``after``; only those whose status (in the vendor's words) is
        ``status``, and numbered ``invoice_number``, when given. The status is worked out per invoice (from its
        payments), so the pages are read in id order until ``limit`` of them match."""
        authorize(principal, Action.PORTAL_READ)
        if status is not None and status not in VENDOR_STATUSES:
            raise InvalidStatusFilter(f"status {status!r} is not one of {', '.join(sorted(VENDOR_STATUSES))}",
                                      field="status")
        vendor_id = _vendor(principal)
        out: list[InvoiceForVendor] = []
        with self._uow(read_only=True) as uow:
            cursor = after
            while len(out) < limit:
                ids = uow.portal.invoice_ids(vendor_id, after=cursor, limit=max(limit, 50),
                                             invoice_number=invoice_number)
                # Unfiltered, only the ids that can be on the page are read; filtered, the whole batch is.
                wanted = ids if status is not None else ids[:limit - len(out)]
                for found in self._invoices_in(uow, vendor_id, wanted):
                    if status is None or found.status == status:
                        out.append(found)
                        if len(out) == limit:
                            break
                if len(ids) < max(limit, 50):
                    break
                cursor = ids[-1]
        return out

    def invoice(self, principal: Principal, invoice_id: str) -> InvoiceForVendor:
        authorize(principal, Action.PORTAL_READ)
        vendor_id = _vendor(principal)
        with self._uow(read_only=True) as uow:
            if not uow.portal.owns_invoice(vendor_id, invoice_id):
                raise InvoiceNotFound(invoice_id)
            return self._invoice_in(uow, vendor_id, invoice_id)

    def _invoice_in(self, uow: PortalUnitOfWork, vendor_id: str, invoice_id: str) -> InvoiceForVendor:
        found = self._invoices_in(uow, vendor_id, [invoice_id])
        if not found:
            raise InvoiceNotFound(invoice_id)
        return found[0]

    def _invoices_in(self, uow: PortalUnitOfWork, vendor_id: str, invoice_ids: Sequence[str]) -> list[InvoiceForVendor]:
        """The invoices (this vendor's, in the order given) as the vendor sees them, read with one query per kind of
        fact for all of them together: the statements a page takes do not grow with its length."""
        if not invoice_ids:
            return []
        q = uow.portal
        records = uow.invoices.get_many(list(invoice_ids))
        ids = [r.invoice.id for r in records]
        holds, steps, carried = q.holds_of(ids), q.match_steps_of(ids), q.payment_ids_of_invoices(ids)
        found = uow.payments.get_payments({p for i in ids for p in carried[i]})
        payments = {i: [found[p] for p in carried[i] if p in found and found[p].vendor_id == vendor_id] for i in ids}
        facts = q.payment_facts(sorted({p.id for ps in payments.values() for p in ps}))
        po_ids = {i: {*r.invoice.po_ids, *(str(h.finding["po_id"]) for h in holds[i] if h.finding.get("po_id"))}
                  for i, r in zip(ids, records)}
        related = {i: {x for h in holds[i] for x in h.finding.get("related_ids") or ()} for i in ids}
        po_numbers = q.po_numbers(vendor_id, {x for i in ids for x in po_ids[i]})
        labels = q.invoice_labels(vendor_id, {x for i in ids for x in related[i]})
        masks = q.account_last4(vendor_id, {p.account_id for ps in payments.values() for p in ps})
        bank_holds = self._bank_holds(uow, vendor_id)
        prompt_pay = uow.prompt_pay.facts([r.invoice for r in records])
        today = self._clock.now().date()
        out = []
        for invoice_id, record in zip(ids, records):
            mine = payments[invoice_id]
            paid_with = [PaidWith(p, item, facts.get(p.id, PaymentFacts())) for p in mine for item in p.items
                         if item.invoice_id == invoice_id]
            # Each invoice names only its own purchase orders and related invoices, as when read alone.
            ctx = VendorContext(record.invoice.currency,
                                {k: v for k, v in po_numbers.items() if k in po_ids[invoice_id]},
                                {k: v for k, v in labels.items() if k in related[invoice_id]})
            out.append(invoice_for_vendor(
                record, steps=steps[invoice_id], holds=holds[invoice_id], paid_with=paid_with, ctx=ctx,
                masks={k: v for k, v in masks.items() if k in {p.account_id for p in mine}}, bank_holds=bank_holds,
                rules=self._rules, today=today, prompt_pay=prompt_pay.get(invoice_id)))
        return out

    # -- submission ------------------------------------------------------------------------------------
    def submit_invoice(self, principal: Principal, submitted: VendorInvoice) -> InvoiceForVendor:
        """Enter the caller's invoice, received today, and match it like any other (``InvoiceService``)."""
        authorize(principal, Action.PORTAL_SUBMIT_INVOICE)
        vendor_id = _vendor(principal)
        with self._uow(read_only=True) as uow:
            po_ids = self._po_ids(uow.portal, vendor_id, submitted.lines)
        cmd = NewInvoice(vendor_id, submitted.invoice_number, submitted.invoice_date, submitted.currency,
                         tuple(NewInvoiceLine(x.line_no, po_ids.get(x.po_number or ""), x.po_line_no, x.quantity,
                                              x.unit_price_minor, x.description, x.unit_of_measure)
                               for x in submitted.lines),
                         received_on=self._clock.now().date(), terms=submitted.terms,
                         stated_total_minor=submitted.stated_total_minor, remit_to=submitted.remit_to,
                         defect_contact=submitted.defect_contact)
        record, _ = self._invoices.submit_by_vendor(principal, cmd)
        return self.invoice(principal, record.invoice.id)

    @staticmethod
    def _po_ids(q: PortalQueries, vendor_id: str, lines: Sequence[VendorInvoiceLine]) -> dict[str, str]:
        """The caller's purchase orders by number. A number that is not one of them is refused the same way whether
        it does not exist or is another vendor's, so a submission cannot find out which."""
        found: dict[str, str] = {}
        for i, line in enumerate(lines):
            if line.po_number is None or line.po_number in found:
                continue
            po_id = q.po_id_by_number(vendor_id, line.po_number)
            if po_id is None:
                raise UnknownPurchaseOrder(f"line {line.line_no}: {line.po_number!r} is not a purchase order we "
                                           "issued to you", field=f"lines[{i}].po_number")
            found[line.po_number] = po_id
        return found

    # -- payments --------------------------------------------------------------------------------------
    def list_payments(self, principal: Principal, *, before: str | None, limit: int,
                      status: str | None = None) -> list[PaymentForVendor]:
        authorize(principal, Action.PORTAL_READ)
        vendor_id = _vendor(principal)
        with self._uow(read_only=True) as uow:
            ids = uow.portal.payment_ids(vendor_id, before=before, limit=limit, status=status)
            return self._payments_in(uow, vendor_id, ids)

    def payment(self, principal: Principal, payment_id: str) -> PaymentForVendor:
        authorize(principal, Action.PORTAL_READ)
        vendor_id = _vendor(principal)
        with self._uow(read_only=True) as uow:
            if not uow.portal.owns_payment(vendor_id, payment_id):
                raise PaymentNotFound(payment_id)
            found = self._payments_in(uow, vendor_id, [payment_id])
            if not found:
                raise PaymentNotFound(payment_id)
            return found[0]

    def _payments_in(self, uow: PortalUnitOfWork, vendor_id: str, payment_ids: Sequence[str]) -> list[PaymentForVendor]:
        """The payments (in the order given, those that exist) with their facts, read together for a page."""
        q = uow.portal
        found = uow.payments.get_payments(payment_ids)
        wanted = [found[p] for p in payment_ids if p in found]
        facts = q.payment_facts([p.id for p in wanted])
        last4 = q.account_last4(vendor_id, {p.account_id for p in wanted})
        labels = q.invoice_labels(vendor_id, {i.invoice_id for p in wanted for i in p.items})
        return [PaymentForVendor(p, facts.get(p.id, PaymentFacts()), last4.get(p.account_id),
                                 {i.invoice_id: labels[i.invoice_id][1] for i in p.items if i.invoice_id in labels})
                for p in wanted]
