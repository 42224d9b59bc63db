"""Normalized ACH returns and notifications of change, whatever file they were read from.

The NACHA importer (``adapters/statements/nacha_returns.py``) turns Addenda99 and Addenda98 records into these;
reconciliation consumes only these. A return is matched to our payment by its ORIGINAL trace number (the one we
wrote), never by the return entry's own trace. Full account numbers never reach these records except inside
:class:`CorrectedBankData`, which goes straight into the bank-account quarantine and is never stored or logged
by reconciliation (only its mask is).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final

from payments.reconciliation.statements import Finding, FindingCode


class ReturnFamily(enum.StrEnum):
    """What kind of trouble a return reason code reports, which decides what AP does next."""

    ACCOUNT = "account"
    """The receiving account is wrong, closed, frozen or unusable: block it until corrected details clear."""
    FUNDS = "funds"
    """Not enough (collected) money; a debit-side problem."""
    AUTHORIZATION = "authorization"
    """The receiver says the entry was not authorized, or the authorization was revoked."""
    DECEASED = "deceased"
    """The receiver (or representative payee) died; reclamation rules may apply."""
    REFUSED = "refused"
    """The receiver refused the credit."""
    STOPPED = "stopped"
    """The payment was stopped."""
    DUPLICATE = "duplicate"
    """The bank says it is a duplicate entry: look for a double payment."""
    BANK_REQUEST = "bank_request"
    """Returned at our own bank's request."""
    FORMAT = "format"
    """The entry broke a field or format rule at the receiving bank."""
    DISHONORED = "dishonored"
    """Our bank dishonored a return (R61-R70)."""
    CONTESTED = "contested"
    """The receiving bank contested a dishonored return (R71-R77)."""
    INTERNATIONAL = "international"
    """An IAT or gateway problem (R80-R85)."""
    OTHER = "other"
    """A code with no family of its own (enrollment, re-presented checks, …)."""


# Return codes that mean the vendor's bank details cannot be paid as they stand (FORMATS.md §1.8, §6.4).
ACCOUNT_LEVEL_CODES: Final = frozenset({"R02", "R03", "R04", "R12", "R13", "R16", "R20"})
_FAMILY: Final[dict[str, ReturnFamily]] = {
    **{c: ReturnFamily.ACCOUNT for c in ACCOUNT_LEVEL_CODES},
    "R01": ReturnFamily.FUNDS, "R09": ReturnFamily.FUNDS,
    **{c: ReturnFamily.AUTHORIZATION for c in ("R05", "R07", "R10", "R11", "R29", "R51")},
    "R14": ReturnFamily.DECEASED, "R15": ReturnFamily.DECEASED,
    "R23": ReturnFamily.REFUSED,
    **{c: ReturnFamily.STOPPED for c in ("R08", "R38", "R52")},
    "R24": ReturnFamily.DUPLICATE, "R67": ReturnFamily.DUPLICATE,
    "R06": ReturnFamily.BANK_REQUEST,
    **{c: ReturnFamily.FORMAT for c in ("R17", "R18", "R19", "R21", "R22", "R25", "R26", "R27", "R28")},
    **{c: ReturnFamily.DISHONORED for c in ("R61", "R62", "R68", "R69", "R70")},
    **{c: ReturnFamily.CONTESTED for c in ("R71", "R72", "R73", "R74", "R75", "R76", "R77")},
    **{c: ReturnFamily.INTERNATIONAL for c in ("R80", "R81", "R82", "R83", "R84", "R85")},
}

# What we tell the vendor, in plain words, per family (a few codes get their own sentence).
_VENDOR_REASON: Final[dict[ReturnFamily, str]] = {
    ReturnFamily.ACCOUNT: "Your bank could not accept the payment into the account we have on file. "
                          "Please send us corrected bank details; we will pay again once they are verified.",
    ReturnFamily.FUNDS: "Your bank returned the payment for lack of funds. We will contact you.",
    ReturnFamily.AUTHORIZATION: "Your bank returned the payment as not authorized. Please contact Accounts Payable.",
    ReturnFamily.DECEASED: "The bank reported that the account holder has died. Please contact Accounts Payable.",
    ReturnFamily.REFUSED: "Your bank told us you refused the payment. Please contact Accounts Payable "
                          "if this was a mistake.",
    ReturnFamily.STOPPED: "Your bank told us the payment was stopped. Please contact Accounts Payable.",
    ReturnFamily.DUPLICATE: "Your bank returned the payment as a duplicate. We are checking that you were paid once.",
    ReturnFamily.BANK_REQUEST: "The payment was returned at our bank's request. We will pay again shortly.",
    ReturnFamily.FORMAT: "The payment was returned because of a processing error. We will pay again shortly.",
    ReturnFamily.DISHONORED: "The payment was returned and is being reviewed by the banks.",
    ReturnFamily.CONTESTED: "The payment was returned and is being reviewed by the banks.",
    ReturnFamily.INTERNATIONAL: "The international payment was returned. Please contact Accounts Payable.",
    ReturnFamily.OTHER: "Your bank returned the payment. Please contact Accounts Payable.",
}
_CODE_REASON: Final[dict[str, str]] = {
    "R02": "Your bank told us the account we paid is closed. Please send us new bank details; we will pay again "
           "once they are verified.",
    "R03": "Your bank could not find the account we paid. Please check and send us your bank details; we will "
           "pay again once they are verified.",
    "R04": "The account number we have on file is not valid at your bank. Please send us corrected bank details.",
    "R16": "Your bank told us the account we paid is frozen. Please send us details of another account.",
    "R20": "The account we paid cannot receive payments. Please send us details of a checking or savings account.",
}


def return_family(code: str) -> ReturnFamily:
    """The family of a return reason code (``OTHER`` for codes without one, including unknown codes)."""
    return _FAMILY.get(code, ReturnFamily.OTHER)


def is_account_level(code: str) -> bool:
    """True when the code means the vendor's bank account must be blocked until corrected details clear."""
    return code in ACCOUNT_LEVEL_CODES


def vendor_reason(code: str) -> str:
    """The plain-words sentence a vendor is shown for a returned payment."""
    return _CODE_REASON.get(code) or _VENDOR_REASON[return_family(code)]


def mask(number: str | None) -> str | None:
    """'****6789': the most of an account number that may be stored or shown by reconciliation."""
    if not number:
        return None
    return "****" + number[-4:]


@dataclass(frozen=True, slots=True)
class ReturnNotice:
    """One returned payment: match it to ours by ``original_trace`` (plus amount and receiving bank)."""

    reason_code: str
    reason: str
    original_trace: str
    amount_minor: int
    currency: str
    original_rdfi: str
    return_trace: str
    location: str
    effective_date: date | None = None
    date_of_death: date | None = None
    information: str = ""
    receiver_name: str = ""
    identification: str = ""
    account_mask: str | None = None
    sec_code: str = ""
    variant: str = "return"

    @property
    def family(self) -> ReturnFamily:
        return return_family(self.reason_code)

    @property
    def account_level(self) -> bool:
        return is_account_level(self.reason_code)

    @property
    def vendor_reason(self) -> str:
        return vendor_reason(self.reason_code)


@dataclass(frozen=True, slots=True)
class CorrectedBankData:
    """The corrected details a notification of change carries; fields the code does not carry are None.

    ``account_number`` is in clear: hand it to the bank-account quarantine (which encrypts it) and nowhere else.
    """

    routing_number: str | None = None
    account_number: str | None = field(default=None, repr=False)
    account_type: str | None = None
    receiver_name: str | None = None
    identification: str | None = None

    def masked(self) -> dict[str, str | None]:
        """What may be stored or shown: everything except the full account number."""
        return {"routing_number": self.routing_number, "account_mask": mask(self.account_number),
                "account_type": self.account_type, "receiver_name": self.receiver_name,
                "identification": self.identification}

    @property
    def changes_bank_account(self) -> bool:
        """True when the correction touches where money goes (routing, account or type), not just names."""
        return bool(self.routing_number or self.account_number or self.account_type)


@dataclass(frozen=True, slots=True)
class ChangeNotice:
    """One notification of change: the receiving bank asks us to correct the details of ``original_trace``."""

    change_code: str
    reason: str
    original_trace: str
    original_rdfi: str
    corrected: CorrectedBankData
    notice_trace: str
    location: str
    refused: bool = False
    effective_date: date | None = None
    receiver_name: str = ""
    identification: str = ""
    sec_code: str = ""


NoticeFindingCode = FindingCode
"""Why the returns importer flagged part of a file it still read: one enum with the statements' findings."""


@dataclass(frozen=True, slots=True)
class NoticeFile:
    """Everything one returns/NOC file said; ``digest`` (SHA-256 of its bytes) detects re-imports."""

    digest: str
    returns: tuple[ReturnNotice, ...] = ()
    changes: tuple[ChangeNotice, ...] = ()
    findings: tuple[Finding, ...] = ()
    created_at: datetime | None = None
    format: str = "nacha"


def account_type_for_transaction_code(code: int | None) -> str | None:
    """'checking' or 'savings' from an ACH transaction code (2x checking, 3x savings), else None."""
    if code is None:
        return None
    if 21 <= code <= 29:
        return "checking"
    if 31 <= code <= 39:
        return "savings"
    return None
