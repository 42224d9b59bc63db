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

from payments.ap.ap_errors import InvalidDocument
from payments.errors import InvalidInput, NotFound
from payments.identity import Action, Principal, authorize
from payments.ap.invoice_service import InvoiceService, NewInvoice, NewInvoiceLine
from payments.disbursements.payment_records import PaymentRecord
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
            raise InvalidInput(f"status {status!r} is not one of {', '.join(sorted(VENDOR_STATUSES))}",
                               code="invalid_status", field="status")
        vendor_id = _vendor(principal)
        out: list[InvoiceForVendor] = []
        with self._uow(read_only=True) as uow:
            cursor = after
            while len(out) < limit:
                ids = uow.portal.invoice_ids(vendor_id, after=cursor, limit=max(limit, 50),
                                             invoice_number=invoice_number)
                for invoice_id in ids:
                    found = self._invoice_in(uow, vendor_id, invoice_id)
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
        q = uow.portal
        record = uow.invoices.get(invoice_id)
        if record is None:
            raise InvoiceNotFound(invoice_id)
        holds = uow.invoices.holds(invoice_id)
        payments = [p for p in (uow.payments.get_payment(i) for i in q.payment_ids_for_invoice(invoice_id))
                    if p is not None and p.vendor_id == vendor_id]
        facts = q.payment_facts([p.id for p in payments])
        paid_with = [PaidWith(p, item, facts.get(p.id, PaymentFacts())) for p in payments for item in p.items
                     if item.invoice_id == invoice_id]
        related = {r for h in holds for r in h.finding.get("related_ids") or ()}
        ctx = VendorContext(record.invoice.currency,
                            q.po_numbers(vendor_id, {*record.invoice.po_ids,
                                                              *(str(h.finding["po_id"]) for h in holds
                                                                if h.finding.get("po_id"))}),
                            q.invoice_labels(vendor_id, related))
        masks = q.account_last4(vendor_id, {p.account_id for p in payments})
        return invoice_for_vendor(record, steps=q.match_steps(invoice_id), holds=holds, paid_with=paid_with,
                                  ctx=ctx, masks=masks, bank_holds=self._bank_holds(uow, vendor_id),
                                  rules=self._rules, today=self._clock.now().date(),
                                  prompt_pay=uow.prompt_pay.facts([record.invoice]).get(invoice_id))

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
                raise InvalidDocument(f"line {line.line_no}: {line.po_number!r} is not a purchase order we issued to "
                                      "you", field=f"lines[{i}].po_number", code="unknown_purchase_order")
            found[line.po_number] = po_id
        return found

    # -- payments --------------------------------------------------------------------------------------
    def list_payments(self, principal: Principal, *, before: str | None, limit: int,
                      status: str | None = None) -> list[PaymentForVendor]:
        authorize(principal, Action.PORTAL_READ)
        vendor_id = _vendor(principal)
        with self._uow(read_only=True) as uow:
            ids = uow.portal.payment_ids(vendor_id, before=before, limit=limit, status=status)
            return [self._payment_in(uow, vendor_id, payment_id) for payment_id in ids]

    def payment(self, principal: Principal, payment_id: str) -> PaymentForVendor:
        authorize(principal, Action.PORTAL_READ)
        vendor_id = _vendor(principal)
        with self._uow(read_only=True) as uow:
            if not uow.portal.owns_payment(vendor_id, payment_id):
                raise PaymentNotFound(payment_id)
            return self._payment_in(uow, vendor_id, payment_id)

    def _payment_in(self, uow: PortalUnitOfWork, vendor_id: str, payment_id: str) -> PaymentForVendor:
        q = uow.portal
        payment = uow.payments.get_payment(payment_id)
        if payment is None:
            raise PaymentNotFound(payment_id)
        facts = q.payment_facts([payment_id]).get(payment_id, PaymentFacts())
        last4 = q.account_last4(vendor_id, [payment.account_id]).get(payment.account_id)
        labels = q.invoice_labels(vendor_id, [i.invoice_id for i in payment.items])
        return PaymentForVendor(payment, facts, last4, {k: v[1] for k, v in labels.items()})
