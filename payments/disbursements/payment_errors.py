"""Refusals of payment runs and their submission, each with a stable code (the HTTP table maps them)."""

from __future__ import annotations

from payments.errors import Conflict, Forbidden, NotFound


# -- runs and their files (payment_service, payment_rules) -----------------------------------------------------------


class PaymentRunNotFound(NotFound):
    """No payment run has this id."""

    code = "payment_run_not_found"


class PaymentNotFound(NotFound):
    """No payment has this id."""

    code = "payment_not_found"


class AlreadyReleased(Forbidden):
    """A run has every release it needs; another release would add nothing."""

    code = "already_released"


class NoFileSent(Conflict):
    """A run's file is asked for before its rail accepted one."""

    code = "no_file_sent"


class SentFileNotFound(NotFound):
    """The rail keeps no copy of the file the run's submission names."""

    code = "sent_file_not_found"


# -- submission (payment_submission) ---------------------------------------------------------------------------------


class SubmissionNotFound(NotFound):
    """No submission has this id."""

    code = "submission_not_found"


class BankAccountMissing(NotFound):
    """A payment's bank account is gone by the time its file is built."""

    code = "bank_account_missing"
