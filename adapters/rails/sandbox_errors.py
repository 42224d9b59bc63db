"""Refusals of the sandbox bank's desk (returns, NOCs and statements asked of the sandbox), each with a stable code."""

from __future__ import annotations

from payments.errors import Conflict, InvalidInput


class SandboxNotInUse(Conflict):
    """The sandbox bank is not the rail in use."""

    code = "sandbox_not_in_use"


class InvalidReturnCode(InvalidInput):
    """Not a Nacha return reason code (R01, R03, ...)."""

    code = "invalid_return_code"


class InvalidChangeCode(InvalidInput):
    """Not a change code the desk can lay out a NOC for."""

    code = "invalid_change_code"


class InvalidCorrectedData(InvalidInput):
    """The corrected data does not fit the change code's layout."""

    code = "invalid_corrected_data"


class InvalidStatementFormat(InvalidInput):
    """A statement format the sandbox bank does not write."""

    code = "invalid_statement_format"


class PaymentNotInSandbox(SandboxNotInUse):
    """The payment went to another rail, not the sandbox bank."""

    code = "payment_not_in_sandbox"


class PaymentNotAtBank(Conflict):
    """The payment has not reached the bank yet: submit its run first."""

    code = "payment_not_at_bank"


class BankClosed(InvalidInput):
    """The bank does not book on that day (a weekend or a holiday)."""

    code = "bank_closed"


class BeforeSettlement(InvalidInput):
    """Asked about a day before the payment settles."""

    code = "before_settlement"


class AlreadySent(Conflict):
    """The bank already sent that file or that return."""

    code = "already_sent"
