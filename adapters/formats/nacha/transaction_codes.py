"""Transaction codes (entry detail positions 2-3) and service class codes (batch header positions 2-4).

The direction of a code decides which batch total it counts toward and which service class may carry it:
for the 2x-5x families the second digit 1-4 is a credit and 5-9 a debit (moov-io ``entryDetail.go``;
FORMATS.md §1.5). ADV codes 81-88 alternate credit/debit.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final


class TransactionCode(IntEnum):
    """Entry Detail transaction codes (Nacha Appendix Three)."""

    CHECKING_RETURN_CREDIT = 21
    """Return or NOC of a checking credit (automated return/COR entry)."""
    CHECKING_CREDIT = 22
    """Credit to a checking account."""
    CHECKING_PRENOTE_CREDIT = 23
    """Zero-dollar prenotification of a future checking credit."""
    CHECKING_ZERO_DOLLAR_CREDIT = 24
    """Zero-dollar credit carrying remittance data (CCD/CTX) or an acknowledgment (ACK/ATX)."""
    CHECKING_RETURN_DEBIT = 26
    """Return or NOC of a checking debit."""
    CHECKING_DEBIT = 27
    """Debit to a checking account."""
    CHECKING_PRENOTE_DEBIT = 28
    """Zero-dollar prenotification of a future checking debit."""
    CHECKING_ZERO_DOLLAR_DEBIT = 29
    """Zero-dollar debit carrying remittance data."""
    SAVINGS_RETURN_CREDIT = 31
    """Return or NOC of a savings credit."""
    SAVINGS_CREDIT = 32
    """Credit to a savings account."""
    SAVINGS_PRENOTE_CREDIT = 33
    """Zero-dollar prenotification of a future savings credit."""
    SAVINGS_ZERO_DOLLAR_CREDIT = 34
    """Zero-dollar savings credit carrying remittance data."""
    SAVINGS_RETURN_DEBIT = 36
    """Return or NOC of a savings debit."""
    SAVINGS_DEBIT = 37
    """Debit to a savings account."""
    SAVINGS_PRENOTE_DEBIT = 38
    """Zero-dollar prenotification of a future savings debit."""
    SAVINGS_ZERO_DOLLAR_DEBIT = 39
    """Zero-dollar savings debit carrying remittance data."""
    GL_RETURN_CREDIT = 41
    """Return or NOC of a general-ledger credit."""
    GL_CREDIT = 42
    """Credit to a general-ledger account."""
    GL_PRENOTE_CREDIT = 43
    """Prenotification of a general-ledger credit."""
    GL_ZERO_DOLLAR_CREDIT = 44
    """Zero-dollar general-ledger credit with remittance data."""
    GL_RETURN_DEBIT = 46
    """Return or NOC of a general-ledger debit."""
    GL_DEBIT = 47
    """Debit to a general-ledger account."""
    GL_PRENOTE_DEBIT = 48
    """Prenotification of a general-ledger debit."""
    GL_ZERO_DOLLAR_DEBIT = 49
    """Zero-dollar general-ledger debit with remittance data."""
    LOAN_RETURN_CREDIT = 51
    """Return or NOC of a loan credit."""
    LOAN_CREDIT = 52
    """Credit (payment) to a loan account."""
    LOAN_PRENOTE_CREDIT = 53
    """Prenotification of a loan credit."""
    LOAN_ZERO_DOLLAR_CREDIT = 54
    """Zero-dollar loan credit with remittance data."""
    LOAN_DEBIT = 55
    """Debit to a loan account (reversals only)."""
    LOAN_RETURN_DEBIT = 56
    """Return or NOC of a loan debit."""
    ADV_CREDIT_DEBITS_ORIGINATED = 81
    """ADV: credit for ACH debits originated."""
    ADV_DEBIT_CREDITS_ORIGINATED = 82
    """ADV: debit for ACH credits originated."""
    ADV_CREDIT_CREDITS_RECEIVED = 83
    """ADV: credit for ACH credits received."""
    ADV_DEBIT_DEBITS_RECEIVED = 84
    """ADV: debit for ACH debits received."""
    ADV_CREDIT_REJECTED_BATCHES = 85
    """ADV: credit for ACH credits in rejected batches."""
    ADV_DEBIT_REJECTED_BATCHES = 86
    """ADV: debit for ACH debits in rejected batches."""
    ADV_SUMMARY_CREDIT = 87
    """ADV: summary credit respecting ACH activity."""
    ADV_SUMMARY_DEBIT = 88
    """ADV: summary debit respecting ACH activity."""


class ServiceClass(IntEnum):
    """Batch service class codes: which directions a batch may carry."""

    MIXED = 200
    """Credits and debits."""
    CREDITS_ONLY = 220
    """Credits only."""
    DEBITS_ONLY = 225
    """Debits only."""
    AUTOMATED_ACCOUNTING_ADVICES = 280
    """ADV files produced by an ACH Operator."""


_ALL: Final = frozenset(int(c) for c in TransactionCode)
CREDIT_CODES: Final = frozenset(c for c in _ALL if (c < 80 and c % 10 in (1, 2, 3, 4)) or (c > 80 and c % 2 == 1))
DEBIT_CODES: Final = _ALL - CREDIT_CODES
RETURN_CODES: Final = frozenset({21, 26, 31, 36, 41, 46, 51, 56})
"""Codes an RDFI uses for automated returns and notifications of change."""
PRENOTE_CODES: Final = frozenset({23, 28, 33, 38, 43, 48, 53})
ZERO_DOLLAR_CODES: Final = frozenset({24, 29, 34, 39, 44, 49, 54})
ADV_CODES: Final = frozenset(range(81, 89))
LIVE_CODES: Final = _ALL - RETURN_CODES - PRENOTE_CODES - ZERO_DOLLAR_CODES - ADV_CODES
"""Forward codes that move money: their amount must not be zero."""

# The return/NOC code an RDFI uses for a forward entry (prenotes and zero-dollar entries included).
RETURN_CODE_FOR: Final = {
    fwd: (fwd // 10) * 10 + (1 if fwd in CREDIT_CODES else 6)
    for fwd in _ALL - RETURN_CODES - ADV_CODES
}

# Per service class: transaction code (as the 2-character text read from a record) -> is_credit.
# The reader looks a record's code up in the batch's table once; a miss means "not allowed here".
TC_TEXT_FOR_SERVICE_CLASS: Final[dict[int, dict[str, bool]]] = {
    200: {f"{c:02d}": c in CREDIT_CODES for c in _ALL - ADV_CODES},
    220: {f"{c:02d}": True for c in CREDIT_CODES - ADV_CODES},
    225: {f"{c:02d}": False for c in DEBIT_CODES - ADV_CODES},
    280: {f"{c:02d}": c in CREDIT_CODES for c in ADV_CODES},
}
ALL_TC_TEXT: Final = frozenset(f"{c:02d}" for c in _ALL)


def is_credit(code: int) -> bool:
    return code in CREDIT_CODES


def describe(code: int) -> str:
    """A short plain-English meaning for a transaction code, or '' when unknown."""
    try:
        member = TransactionCode(code)
    except ValueError:
        return ""
    text = member.name.lower().replace("_", " ")
    return "general ledger" + text[2:] if text.startswith("gl ") else text


__all__ = [
    "ADV_CODES",
    "ALL_TC_TEXT",
    "CREDIT_CODES",
    "DEBIT_CODES",
    "LIVE_CODES",
    "PRENOTE_CODES",
    "RETURN_CODES",
    "RETURN_CODE_FOR",
    "TC_TEXT_FOR_SERVICE_CLASS",
    "ZERO_DOLLAR_CODES",
    "ServiceClass",
    "TransactionCode",
    "describe",
    "is_credit",
]
