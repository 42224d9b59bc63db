"""Match invoices against purchase orders, receipts and inspection: pure functions over pre-loaded facts.

``match_invoice`` checks one invoice against a ``MatchContext`` (see ``payments.ap.matching.match_context`` for the
queries that build it) and returns every finding. ``match_batch`` matches many invoices in one pass and in a
deterministic order (date received, then id), letting each invoice that comes out clean count as billed for
the ones after it, exactly as if they had been matched one at a time and saved in between.

The counting rule: an invoice counts toward a PO line's billed quantity and amount only while it is
MATCHED, APPROVED or PAID (``documents.BILLED_INVOICE_STATUSES``); a held, returned, cancelled or merely
entered invoice does not. So an invoice that would overbill is held and does not count, and net billed
(counted invoices minus applied credit memos) can never pass a cap plus its tolerance through matching.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from payments.ap.documents import Invoice, InvoiceLine
from payments.ap.matching.duplicates import DuplicateKey, DuplicateMatch, DuplicatePool
from payments.ap.matching.match_context import MatchContext, POLineFacts, build_context
from payments.ap.matching.match_defects import Defect, InvoiceDefect, intrinsic_defects
from payments.ap.matching.match_findings import Finding, Hold, MatchResult, Rule
from payments.ap.matching.match_holds import (
    HoldDiff,
    ManualRelease,
    active_hold_keys,
    diff_holds,
    release_manually,
    status_after_match,
)
from payments.ap.matching.match_rules import (
    check_cumulative_quantity,
    check_line_amount,
    check_po_ceiling,
    check_po_header,
    check_unit_price,
    defect_finding,
    duplicate_finding,
)
from payments.ap.matching.tolerance import TolerancePolicy

__all__ = [
    "Finding", "Hold", "HoldDiff", "ManualRelease", "MatchContext", "MatchResult", "RunningTotals", "Rule",
    "active_hold_keys", "build_context", "diff_holds", "match_batch", "match_invoice", "release_manually",
    "status_after_match",
]

_ZERO = Decimal(0)


class RunningTotals:
    """Quantities and amounts billed by invoices counted earlier in the same batch (not yet in the context)."""

    __slots__ = ("line_quantity", "line_amount_minor", "po_amount_minor")

    def __init__(self) -> None:
        self.line_quantity: dict[tuple[str, int], Decimal] = {}
        self.line_amount_minor: dict[tuple[str, int], int] = {}
        self.po_amount_minor: dict[str, int] = {}

    def add(self, invoice: Invoice) -> None:
        for line in invoice.lines:
            if line.po_id is None or line.po_line_no is None:
                continue
            key = (line.po_id, line.po_line_no)
            amount = line.amount_minor
            self.line_quantity[key] = self.line_quantity.get(key, _ZERO) + line.quantity
            self.line_amount_minor[key] = self.line_amount_minor.get(key, 0) + amount
            self.po_amount_minor[line.po_id] = self.po_amount_minor.get(line.po_id, 0) + amount


_NO_TOTALS = RunningTotals()


def match_invoice(
    invoice: Invoice,
    context: MatchContext,
    policy: TolerancePolicy,
    *,
    duplicates: Sequence[DuplicateMatch] = (),
    running: RunningTotals | None = None,
) -> MatchResult:
    """Every finding for ``invoice``.

    ``context`` must not count ``invoice`` itself as billed. ``duplicates`` are the earlier invoices it
    resembles (``duplicates.find_duplicates`` or ``DuplicateIndex.matches``). ``running`` adds what earlier
    invoices of the same batch billed (``match_batch`` passes it).
    """
    running = running or _NO_TOTALS
    currency = invoice.currency
    vendor_id = invoice.vendor_id
    findings: list[Finding] = [defect_finding(d, currency) for d in intrinsic_defects(invoice)]
    if duplicates:
        findings += [duplicate_finding(m) for m in duplicates]

    # Group lines by PO line: a PO line billed twice on one invoice is one cumulative check.
    context_lines, context_pos = context.lines, context.pos
    by_po_line: dict[tuple[str, int], list[InvoiceLine]] = {}
    for line in invoice.lines:
        po_id = line.po_id
        if po_id is None or line.po_line_no is None:
            continue  # already a MISSING_PO_REFERENCE defect
        key = (po_id, line.po_line_no)
        if key not in context_lines or po_id not in context_pos:
            findings.append(defect_finding(_unknown_reference(line), currency))
            continue
        group = by_po_line.get(key)
        if group is None:
            by_po_line[key] = [line]
        else:
            group.append(line)

    po_line_nos: dict[str, list[int]] = {}
    po_amount: dict[str, int] = {}
    by_category: dict[str | None, Any] = {}  # the vendor's tolerances per line category, resolved once
    for key, lines in by_po_line.items():
        po_id = key[0]
        facts = context_lines[key]
        po = context_pos[po_id]
        same_currency = po.currency == currency
        tolerances = by_category.get(facts.category)
        if tolerances is None:
            tolerances = by_category[facts.category] = policy.resolve(vendor_id, facts.category)
        line_nos = (lines[0].line_no,) if len(lines) == 1 else tuple(sorted([line.line_no for line in lines]))
        this_quantity, this_amount = _ZERO, 0
        for line in lines:
            this_quantity += line.quantity
            this_amount += line.amount_minor
            if line.unit_of_measure and line.unit_of_measure != facts.unit_of_measure:
                findings.append(defect_finding(_unit_differs(line, facts), currency))
            if same_currency:
                price = check_unit_price(
                    facts, invoice_line_no=line.line_no, unit_price_minor=line.unit_price_minor,
                    tolerance=tolerances.price, currency=currency,
                )
                if price is not None:
                    findings.append(price)
        findings += check_cumulative_quantity(
            facts, this_quantity=this_quantity, pending_quantity=running.line_quantity.get(key, _ZERO),
            tolerance=tolerances.quantity, line_nos=line_nos,
        )
        if same_currency:
            amount = check_line_amount(
                facts, this_amount_minor=this_amount, pending_amount_minor=running.line_amount_minor.get(key, 0),
                tolerance=tolerances.line_amount, currency=currency, line_nos=line_nos,
            )
            if amount is not None:
                findings.append(amount)
        if po_id in po_amount:
            po_line_nos[po_id].extend(line_nos)
            po_amount[po_id] += this_amount
        else:
            po_line_nos[po_id] = list(line_nos)
            po_amount[po_id] = this_amount

    for po_id, line_nos_list in po_line_nos.items():
        po = context_pos[po_id]
        line_nos = tuple(sorted(line_nos_list))
        findings += check_po_header(po, vendor_id=vendor_id, currency=currency, line_nos=line_nos)
        if po.currency == currency:
            # The ceiling is PO-wide, so it takes the vendor's override or the default, not a line category.
            ceiling = check_po_ceiling(
                po, this_amount_minor=po_amount[po_id], pending_amount_minor=running.po_amount_minor.get(po_id, 0),
                tolerance=policy.resolve(vendor_id, None).max_total, line_nos=line_nos,
            )
            if ceiling is not None:
                findings.append(ceiling)
    return MatchResult.of(invoice.id, findings, policy.version)


def _unknown_reference(line: InvoiceLine) -> InvoiceDefect:
    return InvoiceDefect(Defect.UNKNOWN_PO_REFERENCE, line.line_no, actual=f"PO {line.po_id} line {line.po_line_no}")


def _unit_differs(line: InvoiceLine, facts: POLineFacts) -> InvoiceDefect:
    return InvoiceDefect(
        Defect.UNIT_OF_MEASURE_DIFFERS, line.line_no, expected=facts.unit_of_measure,
        actual=line.unit_of_measure or "",
    )


def batch_order(invoice: Invoice) -> tuple[date, str]:
    """First received, first matched; the id breaks ties so the order never depends on input order."""
    return (invoice.received_on or invoice.invoice_date or date.min, invoice.id)


def match_batch(
    invoices: Iterable[Invoice],
    context: MatchContext,
    policy: TolerancePolicy,
    *,
    duplicate_index: DuplicatePool | None = None,
    releases: Mapping[str, Sequence[ManualRelease]] | None = None,
    keys: Mapping[str, DuplicateKey] | None = None,
) -> dict[str, MatchResult]:
    """Match many invoices as if one at a time, in ``batch_order``; results keyed by invoice id.

    ``context`` must exclude every invoice of the batch from its billed sums. An invoice whose findings are
    all covered by ``releases`` (manual releases recorded earlier, by invoice id) counts as billed for the
    invoices after it, as it would once saved as MATCHED. When ``duplicate_index`` is given (holding the
    earlier invoices to compare with), each invoice is checked against it and then added to it, so the
    later of two copies in one batch is the one suspected. ``keys`` are the invoices' duplicate keys as stored
    (by invoice id), when the caller has them: the same values ``DuplicateKey.of`` would compute.
    """
    releases = releases or {}
    running = RunningTotals()
    results: dict[str, MatchResult] = {}
    for invoice in sorted(invoices, key=batch_order):
        duplicates: tuple[DuplicateMatch, ...] = ()
        if duplicate_index is not None:
            key = keys.get(invoice.id) if keys is not None else None
            if key is None:
                key = DuplicateKey.of(invoice)
            duplicates = duplicate_index.matches(key)
            duplicate_index.add(key)
        result = match_invoice(invoice, context, policy, duplicates=duplicates, running=running)
        results[invoice.id] = result
        if not active_hold_keys(result, releases.get(invoice.id, ())):
            running.add(invoice)
    return results
