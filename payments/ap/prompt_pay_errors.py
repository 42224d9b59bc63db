"""Refusals of prompt payment: disputes, clock stops, interest and terms, each with a stable code."""

from __future__ import annotations

from payments.ap.ap_errors import InvalidDocument
from payments.errors import Conflict, InvalidInput


# -- disputes and clock stops (invoice_disputes) ---------------------------------------------------------------------


class InvoiceNotDisputable(Conflict):
    """Only an unpaid invoice is disputed or has its clock stopped."""

    code = "invoice_not_disputable"


class NoticeBeforeReceipt(InvalidDocument):
    """A dispute is noticed before the invoice was received."""

    code = "notice_before_receipt"


class DisputedAmountOutOfRange(InvalidDocument):
    """A disputed amount is not more than zero and at most the invoice total."""

    code = "disputed_amount_out_of_range"


class DisputeAlreadyOpen(Conflict):
    """An invoice has one open dispute at a time."""

    code = "dispute_already_open"


class DisputeNotOpen(Conflict):
    """A dispute already resolved is resolved again."""

    code = "dispute_not_open"


class ResolvedBeforeNotice(InvalidDocument):
    """A dispute is resolved before the day it was noticed."""

    code = "resolved_before_notice"


class DisputeNeedsCorrectedInvoice(InvalidInput):
    """The rule set restarts the clock on the corrected invoice: its receipt day is needed."""

    code = "dispute_needs_corrected_invoice"


class StopNotInRuleSet(InvalidDocument):
    """The invoice's rule set does not stop the clock for that reason."""

    code = "stop_not_in_rule_set"


class StopEndsBeforeStart(InvalidDocument):
    """A clock stop ends before it starts."""

    code = "stop_ends_before_start"


class StopAlreadyEnded(Conflict):
    """A clock stop that ended is ended again."""

    code = "stop_already_ended"


# -- interest and terms (prompt_pay, prompt_pay_terms, prompt_pay_rules.accrual) -------------------------------------


class NoDefects(InvalidInput):
    """An invoice is returned as improper without naming a defect."""

    code = "no_defects"


class DuplicateInterestRate(InvalidInput):
    """Two interest rates take effect on the same day."""

    code = "duplicate_interest_rate"


class DisputeNeedsReceiptDate(InvalidInput):
    """A dispute's deadline needs the day the invoice was received."""

    code = "dispute_needs_receipt_date"


class UnknownPromptPayRuleSet(InvalidDocument):
    """Terms name a prompt-payment rule set the catalogue does not have."""

    code = "unknown_prompt_pay_rule_set"


class UnknownPayeeKind(InvalidDocument):
    """Terms name a payee kind the rule set does not know."""

    code = "unknown_payee_kind"


class NotFederallyFunded(InvalidDocument):
    """A federal-funds rule is asked of an order with no federal funds."""

    code = "not_federally_funded"
