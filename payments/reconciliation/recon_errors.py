"""Refusals of reconciliation (the exceptions queue, NOCs), each with a stable code."""

from __future__ import annotations

from payments.errors import Conflict, DomainError, InvalidInput, NotFound
from payments.reconciliation.recon_rows import ExceptionRecord


# -- notifications of change (recon_bank_link) -----------------------------------------------------------------------


class NocNotABankChange(DomainError):
    """A NOC that corrects only a name or id is applied as a bank-account change."""

    code = "noc_not_a_bank_change"


# -- working the exceptions queue (recon_exceptions_service, vendor_refunds) ---------------------------------------------------------


class LineRequired(InvalidInput):
    """Settling an exception names the statement line that settles it."""

    code = "line_required"


class LineNotOpen(Conflict):
    """The statement line was already matched or written off."""

    code = "line_not_open"


class CreditCannotSettlePayment(InvalidInput):
    """A credit line is explained by a return or a write-off, never by settling a payment."""

    code = "credit_cannot_settle_payment"


class PaymentsRequired(InvalidInput):
    """Settling a line names the payments it settles."""

    code = "payments_required"


class UnknownPayments(InvalidInput):
    """A manual match names payments that do not exist (422: the request is wrong, not the URL)."""

    code = "payment_not_found"


class PaymentAlreadySettled(Conflict):
    """A manual match names payments already settled or never sent."""

    code = "payment_already_settled"


class MatchAmountsDiffer(InvalidInput):
    """The payments named do not add up to the line's amount and currency."""

    code = "match_amounts_differ"


class LineNeedsMatchOrWriteOff(InvalidInput):
    """Money moved on the line: it is matched or written off, not dismissed."""

    code = "line_needs_match_or_write_off"


class WriteOffNeedsLine(InvalidInput):
    """Only a statement line's amount can be written off."""

    code = "write_off_needs_line"


class WriteOffNotRequested(Conflict):
    """A write-off is approved that nobody requested."""

    code = "write_off_not_requested"


class ExceptionNotOpen(Conflict):
    """The exception was already resolved, written off or dismissed."""

    code = "recon_exception_not_open"

    def __init__(self, exc: ExceptionRecord) -> None:
        super().__init__(f"reconciliation exception {exc.id} is {exc.status.value}", exception_id=exc.id,
                         status=exc.status.value)


# -- a vendor's refund of its credits (vendor_refunds) ---------------------------------------------------------------


class CreditsRequired(InvalidInput):
    """A refund names the credits the deposit refunds."""

    code = "credits_required"


class RefundNeedsBankCredit(InvalidInput):
    """A refund is money the vendor sends us: a credit line, never a debit."""

    code = "refund_needs_bank_credit"


class CreditNamedTwice(InvalidInput):
    """One credit memo's fund is named twice in one refund."""

    code = "credit_named_twice"


class VendorCreditNotFound(NotFound):
    """The credit memo has no credit in the fund named."""

    code = "vendor_credit_not_found"


class CurrencyMismatch(InvalidInput):
    """A credit in one currency refunded by a line in another."""

    code = "currency_mismatch"


class CreditsOfSeveralVendors(InvalidInput):
    """One deposit refunds one vendor's credits."""

    code = "credits_of_several_vendors"
