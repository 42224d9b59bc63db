"""The matching rules, one function each, returning findings with a sentence a vendor can act on.

Every cumulative rule compares *net billed* (counted invoices, minus applied credit memos, plus this
invoice) with a cap (ordered, received, accepted, ordered amount, PO ceiling) plus its tolerance, so a PO
line may be billed over several invoices but never beyond the cap, whatever order the documents came in.
Only excess is held: billing less than ordered or a lower price than the PO's is never a finding.
"""

from __future__ import annotations

from decimal import Decimal

from payments.ap.documents import MatchLevel, POStatus
from payments.ap.amounts import format_money, format_quantity
from payments.ap.matching.duplicates import DuplicateMatch, DuplicateSignal
from payments.ap.matching.match_context import POFacts, POLineFacts
from payments.ap.matching.match_defects import InvoiceDefect
from payments.ap.matching.match_findings import Finding, Hold, Rule
from payments.ap.matching.tolerance import Tolerance

_SIGNAL_TEXT = {
    DuplicateSignal.SAME_NUMBER: "it has the same invoice number",
    DuplicateSignal.SAME_AMOUNT_NEAR_DATE: "it is for the same amount and dated within a few days",
    DuplicateSignal.SAME_FILE: "it is the very same file",
}


def _line_subject(po_id: str, line_no: int) -> str:
    return f"po:{po_id}/line:{line_no}"


def _lines_text(line_nos: tuple[int, ...]) -> str:
    return ("Line " if len(line_nos) == 1 else "Lines ") + ", ".join(str(n) for n in line_nos)


def check_po_header(
    po: POFacts, *, vendor_id: str, currency: str, line_nos: tuple[int, ...]
) -> list[Finding]:
    """Status, vendor and currency of one PO the invoice bills against."""
    found: list[Finding] = []
    subject = f"po:{po.po_id}"
    if po.status in (POStatus.DRAFT, POStatus.PENDING_APPROVAL):
        found.append(Finding(
            Rule.PO_APPROVED, Hold.PO_NOT_APPROVED, subject, POStatus.APPROVED.value, po.status.value,
            f"Purchase order {po.po_id} has not been approved yet, so we cannot pay against it.",
            po_id=po.po_id, invoice_line_nos=line_nos,
        ))
    elif po.status in (POStatus.CLOSED, POStatus.FINALLY_CLOSED):
        found.append(Finding(
            Rule.PO_OPEN, Hold.PO_CLOSED, subject, POStatus.APPROVED.value, po.status.value,
            f"Purchase order {po.po_id} is closed, so it cannot be billed any more.",
            po_id=po.po_id, invoice_line_nos=line_nos,
        ))
    if po.vendor_id != vendor_id:
        found.append(Finding(
            Rule.SAME_VENDOR, Hold.VENDOR_MISMATCH, subject, po.vendor_id, vendor_id,
            f"Purchase order {po.po_id} was issued to a different vendor than the one on this invoice.",
            po_id=po.po_id, invoice_line_nos=line_nos,
        ))
    if po.currency != currency:
        found.append(Finding(
            Rule.SAME_CURRENCY, Hold.CURRENCY_MISMATCH, subject, po.currency, currency,
            f"This invoice is in {currency}, but purchase order {po.po_id} is in {po.currency}.",
            po_id=po.po_id, invoice_line_nos=line_nos,
        ))
    return found


def check_unit_price(
    facts: POLineFacts, *, invoice_line_no: int, unit_price_minor: Decimal, tolerance: Tolerance, currency: str
) -> Finding | None:
    expected = facts.unit_price_minor
    if not tolerance.is_exceeded(expected, unit_price_minor):
        return None
    limit = tolerance.limit(expected)
    return Finding(
        Rule.UNIT_PRICE_WITHIN_PO, Hold.PRICE, f"invoice_line:{invoice_line_no}", expected, unit_price_minor,
        f"Line {invoice_line_no} bills {facts.item} at {format_money(unit_price_minor, currency)} per "
        f"{facts.unit_of_measure}, but purchase order {facts.po_id} line {facts.line_no} sets "
        f"{format_money(expected, currency)}; we can accept up to {format_money(limit, currency)}. Please send "
        "a corrected invoice, or ask for the purchase order to be amended.",
        limit=limit, po_id=facts.po_id, po_line_no=facts.line_no, invoice_line_nos=(invoice_line_no,),
    )


# (rule, hold, which cap, how the cap reads, what clears it)
_QTY_CAPS = (
    (Rule.BILLED_QTY_WITHIN_ORDERED, Hold.QTY_ORDERED, "quantity_ordered", "were ordered",
     "Please send a credit memo or a corrected invoice for the excess."),
    (Rule.BILLED_QTY_WITHIN_RECEIVED, Hold.QTY_RECEIVED, "quantity_received", "have been received",
     "We will pay once the rest has been delivered and received."),
    (Rule.BILLED_QTY_WITHIN_ACCEPTED, Hold.QTY_ACCEPTED, "quantity_accepted", "have passed inspection",
     "We will pay once the rest passes inspection, or on a credit memo for what was rejected."),
)
_CAPS_BY_LEVEL = {MatchLevel.TWO_WAY: 1, MatchLevel.THREE_WAY: 2, MatchLevel.FOUR_WAY: 3}


def check_cumulative_quantity(
    facts: POLineFacts, *, this_quantity: Decimal, pending_quantity: Decimal, tolerance: Tolerance,
    line_nos: tuple[int, ...],
) -> list[Finding]:
    """Billed <= ordered always; <= received for 3- and 4-way; <= accepted for 4-way. All that fail."""
    if this_quantity <= 0:
        return []  # an invoice that adds nothing to a line cannot be the one that overbills it
    billed = facts.net_quantity_billed + pending_quantity + this_quantity
    found = []
    for rule, hold, cap_name, cap_text, remedy in _QTY_CAPS[: _CAPS_BY_LEVEL[facts.match_level]]:
        cap: Decimal = getattr(facts, cap_name)
        if not tolerance.is_exceeded(cap, billed):
            continue
        limit = tolerance.limit(cap)
        found.append(Finding(
            rule, hold, _line_subject(facts.po_id, facts.line_no), cap, billed,
            f"{_lines_text(line_nos)} of this invoice {'bill' if len(line_nos) > 1 else 'bills'} "
            f"{format_quantity(this_quantity)} "
            f"{facts.unit_of_measure} of {facts.item} (purchase order {facts.po_id} line {facts.line_no}). "
            f"Counting earlier invoices and credits, {format_quantity(billed)} have now been billed, but "
            f"{format_quantity(cap)} {cap_text}, and we can accept at most {format_quantity(limit)}. {remedy}",
            limit=limit, po_id=facts.po_id, po_line_no=facts.line_no, invoice_line_nos=line_nos,
        ))
    return found


def check_line_amount(
    facts: POLineFacts, *, this_amount_minor: int, pending_amount_minor: int, tolerance: Tolerance,
    currency: str, line_nos: tuple[int, ...],
) -> Finding | None:
    if this_amount_minor <= 0:
        return None
    ordered = facts.amount_ordered_minor
    billed = facts.net_amount_billed_minor + pending_amount_minor + this_amount_minor
    if not tolerance.is_exceeded(ordered, billed):
        return None
    limit = tolerance.limit(ordered)
    return Finding(
        Rule.BILLED_AMOUNT_WITHIN_ORDERED, Hold.AMOUNT_ORDERED, _line_subject(facts.po_id, facts.line_no),
        ordered, billed,
        f"Purchase order {facts.po_id} line {facts.line_no} ({facts.item}) was ordered for "
        f"{format_money(ordered, currency)}. Counting this invoice, earlier invoices and credits, "
        f"{format_money(billed, currency)} has been billed against it, more than the "
        f"{format_money(limit, currency)} we can accept.",
        limit=limit, po_id=facts.po_id, po_line_no=facts.line_no, invoice_line_nos=line_nos,
    )


def check_po_ceiling(
    po: POFacts, *, this_amount_minor: int, pending_amount_minor: int, tolerance: Tolerance,
    line_nos: tuple[int, ...],
) -> Finding | None:
    if this_amount_minor <= 0:
        return None
    billed = po.net_amount_billed_minor + pending_amount_minor + this_amount_minor
    if not tolerance.is_exceeded(po.ceiling_minor, billed):
        return None
    limit = tolerance.limit(po.ceiling_minor)
    return Finding(
        Rule.BILLED_TOTAL_WITHIN_CEILING, Hold.MAX_TOTAL, f"po:{po.po_id}", po.ceiling_minor, billed,
        f"Purchase order {po.po_id} allows at most {format_money(po.ceiling_minor, po.currency)} in total. "
        f"Counting this invoice, earlier invoices and credits, {format_money(billed, po.currency)} has been "
        f"billed against it, more than the {format_money(limit, po.currency)} we can accept.",
        limit=limit, po_id=po.po_id, invoice_line_nos=line_nos,
    )


def duplicate_finding(match: DuplicateMatch) -> Finding:
    reasons = " and ".join(_SIGNAL_TEXT[s] for s in match.signals)
    return Finding(
        Rule.NOT_A_DUPLICATE, Hold.DUPLICATE_SUSPECTED, f"duplicate_of:{match.other_invoice_id}",
        "no earlier invoice like this one", match.other_invoice_id,
        f"This invoice looks like invoice {match.other_invoice_id}, which we already have: {reasons}. "
        "We will not pay the same bill twice; if this is a different bill, tell us and we will check.",
        related_ids=(match.other_invoice_id,), detail=tuple(s.value for s in match.signals),
    )


def defect_finding(defect: InvoiceDefect, currency: str) -> Finding:
    return Finding(
        Rule.PROPER_INVOICE, Hold.INVOICE_NOT_PROPER, defect.subject, defect.expected, defect.actual,
        defect.explain(currency),
        invoice_line_nos=() if defect.line_no is None else (defect.line_no,), detail=(defect.defect.value,),
    )
