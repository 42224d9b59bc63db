"""Invoices: enter (and match at once), correct (and re-match), return an improper one to the vendor, read.

What makes an invoice *improper* is not refused here: it is stored and matched, so that its defects are listed
and the vendor told within 7 days (5 CFR 1315.9). Only what cannot be stored at all is refused (an unknown
vendor or currency, a quantity finer than a millionth, two lines with one number).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from payments.ap.ap_deps import APDeps, client_id, document_vendor, replay, require
from payments.ap.ap_errors import InvalidDocument, InvoiceIsProper, InvoiceLocked, NotAVendor, VendorFixed
from payments.ap.ap_ports import APUnitOfWork
from payments.ap.ap_records import HoldRecord, InvoiceRecord, MatchRecord, content_digest, new_id
from payments.ap.documents import Invoice, InvoiceLine, InvoiceStatus, VendorStatus, transition
from payments.identity import Action, Principal, authorize, authorize_for_vendor
from payments.ap.matching.match_findings import Hold
from payments.ap.matching.match_service import Matcher
from payments.ap.po_lines import check_line_amount, check_price, check_quantity
from payments.ap.split_check import split_signal_in

_DIGEST = re.compile(r"^[0-9a-f]{64}$")
CORRECTABLE = frozenset({InvoiceStatus.ENTERED, InvoiceStatus.HELD, InvoiceStatus.MATCHED})


@dataclass(frozen=True, slots=True)
class NewInvoiceLine:
    line_no: int
    po_id: str | None
    po_line_no: int | None
    quantity: Decimal
    unit_price_minor: Decimal
    description: str = ""
    unit_of_measure: str | None = None


@dataclass(frozen=True, slots=True)
class NewInvoice:
    vendor_id: str
    invoice_number: str
    invoice_date: dt.date | None
    currency: str
    lines: tuple[NewInvoiceLine, ...]
    received_on: dt.date | None = None
    terms: str = ""
    stated_total_minor: int | None = None
    remit_to: str = ""
    defect_contact: str = ""
    file_digest: str | None = None


def _build(invoice_id: str, cmd: NewInvoice, status: InvoiceStatus) -> Invoice:
    seen: set[int] = set()
    for i, line in enumerate(cmd.lines):
        if line.line_no < 1 or line.line_no in seen:
            raise InvalidDocument("line numbers are positive and unique", field=f"lines[{i}].line_no")
        seen.add(line.line_no)
        check_quantity(line.quantity, f"lines[{i}].quantity", positive=False)
        if line.unit_price_minor.is_finite() and line.unit_price_minor >= 0:
            check_price(line.unit_price_minor, f"lines[{i}].unit_price")
        check_line_amount(line.quantity, line.unit_price_minor, f"lines[{i}].quantity")
    if cmd.file_digest is not None and not _DIGEST.match(cmd.file_digest):
        raise InvalidDocument("file_digest is the SHA-256 of the file, 64 lowercase hex digits", field="file_digest")
    return Invoice(
        id=invoice_id, vendor_id=cmd.vendor_id, invoice_number=cmd.invoice_number.strip(),
        invoice_date=cmd.invoice_date, currency=cmd.currency,
        lines=tuple(InvoiceLine(x.line_no, x.po_id, x.po_line_no, x.quantity, x.unit_price_minor, x.description,
                                x.unit_of_measure) for x in cmd.lines),
        received_on=cmd.received_on, terms=cmd.terms.strip(), stated_total_minor=cmd.stated_total_minor,
        remit_to=cmd.remit_to, defect_contact=cmd.defect_contact, file_digest=cmd.file_digest, status=status)


@dataclass(frozen=True, slots=True)
class InvoiceView:
    """An invoice with what people need beside it: its latest match, holds and approvals."""

    record: InvoiceRecord
    match: MatchRecord | None
    holds: tuple[HoldRecord, ...]
    approvals: tuple[tuple[str, dt.datetime], ...]
    approvals_required: int


class InvoiceService:
    def __init__(self, deps: APDeps, matcher: Matcher) -> None:
        self._d = deps
        self._matcher = matcher

    def _check_header(self, uow: APUnitOfWork, cmd: NewInvoice) -> None:
        dates, today = self._d.policies.dates, self._d.today()
        dates.check_optional(cmd.invoice_date, "invoice_date", today)
        dates.check_optional(cmd.received_on, "received_on", today)
        document_vendor(uow, cmd.vendor_id, cmd.currency, refused=[VendorStatus.INACTIVE])

    # -- enter ---------------------------------------------------------------------------------------------
    def create(self, principal: Principal, cmd: NewInvoice, *, id: str | None = None) -> tuple[InvoiceRecord, bool]:
        with self._d.uow() as uow:
            record, created = self.create_in(uow, principal, cmd, id=id)
            uow.commit()
        return record, created

    def create_in(self, uow: APUnitOfWork, principal: Principal, cmd: NewInvoice, *, id: str | None = None,
                  match: bool = True) -> tuple[InvoiceRecord, bool]:
        authorize(principal, Action.INVOICE_CREATE)
        return self._enter_in(uow, principal, cmd, id=id, match=match)

    def submit_by_vendor(self, principal: Principal, cmd: NewInvoice) -> tuple[InvoiceRecord, bool]:
        """A vendor's own invoice from the portal: entered and matched exactly like staff's, for its vendor only."""
        authorize_for_vendor(principal, Action.PORTAL_SUBMIT_INVOICE, cmd.vendor_id)
        if not principal.is_vendor:
            raise NotAVendor("only a vendor's own user submits through the portal", field="vendor_id")
        with self._d.uow() as uow:
            record, created = self._enter_in(uow, principal, cmd, id=None, match=True, action="invoice_submitted")
            uow.commit()
        return record, created

    def _enter_in(self, uow: APUnitOfWork, principal: Principal, cmd: NewInvoice, *, id: str | None, match: bool,
                  action: str = "invoice_entered") -> tuple[InvoiceRecord, bool]:
        invoice_id = client_id("invoice", id)
        digest = content_digest(cmd)
        if invoice_id is not None and (existing := uow.invoices.get(invoice_id)) is not None:
            return replay("invoice", existing, digest), False
        self._check_header(uow, cmd)
        invoice = _build(invoice_id or new_id("invoice"), cmd, InvoiceStatus.ENTERED)
        stamp = self._d.stamp(principal)
        record = InvoiceRecord(invoice, 1, stamp, stamp, create_digest=digest)
        uow.invoices.add(record)
        self._d.record(uow, principal, action, invoice.id, None,
                       {"vendor_id": invoice.vendor_id, "total_minor": invoice.total_minor})
        if match:
            self._matcher.rematch_in(uow, [invoice.id], trigger="entered", document=invoice.id)
            record = require(uow.invoices.get(invoice.id), "invoice", invoice.id)
        return record, True

    # -- correct -------------------------------------------------------------------------------------------
    def correct(self, principal: Principal, invoice_id: str, cmd: NewInvoice, *, expected_version: int) -> InvoiceRecord:
        with self._d.uow() as uow:
            record = self.correct_in(uow, principal, invoice_id, cmd, expected_version=expected_version)
            uow.commit()
        return record

    def correct_in(self, uow: APUnitOfWork, principal: Principal, invoice_id: str, cmd: NewInvoice, *,
                   expected_version: int) -> InvoiceRecord:
        authorize(principal, Action.INVOICE_CREATE)
        before = require(uow.invoices.get(invoice_id), "invoice", invoice_id)
        if before.invoice.status not in CORRECTABLE:
            raise InvoiceLocked(invoice_id, before.invoice.status.value)
        if cmd.vendor_id != before.invoice.vendor_id:
            raise VendorFixed("a corrected invoice keeps its vendor", field="vendor_id")
        self._check_header(uow, cmd)
        invoice = _build(invoice_id, cmd, before.invoice.status)
        # Approvals belong to a version: a changed invoice needs them again (controls.InvoiceForApproval).
        after = replace(before, invoice=invoice, version=expected_version + 1, last_changed=self._d.stamp(principal))
        uow.invoices.replace(after, expected_version=expected_version, expected_status=before.invoice.status)
        self._d.record(uow, principal, "invoice_corrected", invoice_id,
                       {"version": before.version, "total_minor": before.invoice.total_minor},
                       {"version": after.version, "total_minor": invoice.total_minor})
        po_ids = set(before.invoice.po_ids) | set(invoice.po_ids)
        others = uow.invoices.ids_to_rematch(po_ids, [InvoiceStatus.ENTERED, InvoiceStatus.HELD])
        self._matcher.rematch_in(uow, sorted({invoice_id, *others}), trigger="corrected", document=invoice_id)
        return require(uow.invoices.get(invoice_id), "invoice", invoice_id)

    # -- return an improper invoice ------------------------------------------------------------------------
    def return_to_vendor(self, principal: Principal, invoice_id: str) -> InvoiceRecord:
        authorize(principal, Action.INVOICE_CREATE)
        with self._d.uow() as uow:
            rec = require(uow.invoices.get(invoice_id), "invoice", invoice_id)
            open_holds = uow.invoices.holds(invoice_id, status="open")
            if not any(h.hold == Hold.INVOICE_NOT_PROPER.value for h in open_holds):
                raise InvoiceIsProper(f"invoice {invoice_id} is proper; only an improper invoice is returned")
            transition(rec.invoice.status, InvoiceStatus.RETURNED)
            stamp = self._d.stamp(principal)
            uow.invoices.set_status(invoice_id, rec.invoice.status, InvoiceStatus.RETURNED, returned=stamp)
            self._d.record(uow, principal, "invoice_returned", invoice_id, {"status": rec.invoice.status.value},
                           {"status": "returned"}, detail={"defects": len(rec.defects or ())})
            uow.commit()
        return replace(rec, invoice=replace(rec.invoice, status=InvoiceStatus.RETURNED), returned=stamp)

    # -- read ----------------------------------------------------------------------------------------------
    def view(self, invoice_id: str) -> InvoiceView:
        with self._d.uow(read_only=True) as uow:
            return view_in(uow, self._d, invoice_id)

    def list(self, *, after: str | None, limit: int, status: str | None = None, vendor_id: str | None = None,
             po_id: str | None = None) -> list[InvoiceRecord]:
        with self._d.uow(read_only=True) as uow:
            return uow.invoices.list(after=after, limit=limit, status=status, vendor_id=vendor_id, po_id=po_id)

    def match_entered(self, *, batch_size: int = 20_000, progress: Any = None) -> int:
        """Match every invoice still ``entered`` (imports, the benchmark), in received order, batch by batch."""
        done = 0
        while True:
            with self._d.uow() as uow:
                ids = uow.invoices.ids_in_status(InvoiceStatus.ENTERED, limit=batch_size)
                if not ids:
                    return done
                self._matcher.rematch_in(uow, ids, trigger="batch")
                uow.commit()
            done += len(ids)
            if progress is not None:
                progress(done)


def view_in(uow: APUnitOfWork, deps: APDeps, invoice_id: str) -> InvoiceView:
    rec = require(uow.invoices.get(invoice_id), "invoice", invoice_id)
    match = uow.invoices.match_result(rec.match_result_id) if rec.match_result_id else None
    approvals = tuple(uow.invoices.approvals(invoice_id, rec.version))
    required = deps.policies.approval.approvals_required(rec.invoice.total_minor, rec.invoice.currency)
    if required < 2 and split_signal_in(uow, deps, rec.invoice) is not None:
        required = 2  # part of a suspected split purchase (payments.ap.split_purchases)
    return InvoiceView(rec, match, tuple(uow.invoices.holds(invoice_id)), approvals, required)


