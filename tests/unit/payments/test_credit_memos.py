"""Credit memos may credit only what was billed, on the vendor's own POs, in the PO's currency."""

from dataclasses import replace

from payments.ap.documents import CreditMemoStatus, InvoiceStatus
from payments.ap.matching.match_context import build_context
from payments.ap.matching.match_credits import CreditProblem, check_credit_memo

from .stories import credit_memo, inv_line, invoice, purchase_order, receipt

CHAIRS = purchase_order()
BILLED_6 = invoice("inv-1", inv_line(1, 6), status=InvoiceStatus.APPROVED)  # 6 chairs, $720


def problems(memo, *earlier_memos):
    context = build_context([CHAIRS], [receipt("r1", (1, 10))], [BILLED_6], earlier_memos)
    return [f.problem for f in check_credit_memo(memo, context)]


def test_crediting_part_of_what_was_billed_is_fine():
    assert problems(credit_memo("cm-1", (1, 2, 24_000), status=CreditMemoStatus.ENTERED)) == []


def test_crediting_more_than_was_billed_is_refused_counting_earlier_credits():
    earlier = credit_memo("cm-1", (1, 5, 60_000))
    second = credit_memo("cm-2", (1, 2, 24_000), status=CreditMemoStatus.ENTERED)
    assert problems(second, earlier) == [CreditProblem.EXCEEDS_BILLED_QUANTITY, CreditProblem.EXCEEDS_BILLED_AMOUNT]


def test_a_price_only_credit_credits_money_not_quantity():
    assert problems(credit_memo("cm-1", (1, 0, 6_000), status=CreditMemoStatus.ENTERED)) == []


def test_every_problem_is_listed():
    memo = credit_memo("cm-1", (1, -1, -100), (7, 1, 100), status=CreditMemoStatus.ENTERED)
    memo = replace(memo, vendor_id="ven_other", currency="EUR")
    assert problems(memo) == [
        CreditProblem.NEGATIVE_CREDIT,
        CreditProblem.UNKNOWN_PO_LINE,
        CreditProblem.VENDOR_MISMATCH,
        CreditProblem.CURRENCY_MISMATCH,
    ]
