"""Return reason codes (Addenda99 positions 4-6), with short plain-English meanings.

The table is the Nacha one as moov-io/ach carries it (``addenda99.go``): R01-R47, R50-R53, the dishonored
returns R61, R62, R67-R70, the contested dishonored returns R71-R77 and the IAT/gateway codes R80-R85.
Anything else (R48, R63, R90, R96 ...) is not a Nacha return code and the reader reports it as
``invalid_return_code``. The meanings are written for vendors and AP clerks, not for bankers.
"""

from __future__ import annotations

from typing import Final

RETURN_REASONS: Final[dict[str, str]] = {
    "R01": "Insufficient funds",
    "R02": "Account closed",
    "R03": "No account/unable to locate account",
    "R04": "Invalid account number structure",
    "R05": "Unauthorized debit to a consumer account using a corporate SEC code",
    "R06": "Returned at the originating bank's request",
    "R07": "Authorization revoked by customer",
    "R08": "Payment stopped",
    "R09": "Uncollected funds",
    "R10": "Customer says the originator is unknown or not authorized",
    "R11": "Customer says the entry does not match the authorization terms",
    "R12": "Account sold to another bank",
    "R13": "Invalid ACH routing number",
    "R14": "Representative payee deceased or unable to continue",
    "R15": "Beneficiary or account holder deceased",
    "R16": "Account frozen or entry returned per OFAC instruction",
    "R17": "Entry could not be processed or was initiated under questionable circumstances",
    "R18": "Improper effective entry date",
    "R19": "Amount field error",
    "R20": "Non-transaction account",
    "R21": "Invalid company identification",
    "R22": "Invalid individual ID number",
    "R23": "Credit entry refused by receiver",
    "R24": "Duplicate entry",
    "R25": "Addenda error",
    "R26": "Mandatory field error",
    "R27": "Trace number error",
    "R28": "Routing number check digit error",
    "R29": "Corporate customer says the debit is not authorized",
    "R30": "Receiving bank does not take part in check truncation",
    "R31": "Permissible return entry (CCD and CTX only)",
    "R32": "Receiving bank cannot settle",
    "R33": "Return of a destroyed-check (XCK) entry",
    "R34": "Receiving bank's participation is limited by its regulator",
    "R35": "Return of an improper debit entry",
    "R36": "Return of an improper credit entry",
    "R37": "Source document presented for payment",
    "R38": "Stop payment on source document",
    "R39": "Improper source document",
    "R40": "Enrollment returned by the federal agency (ENR only)",
    "R41": "Invalid transaction code (ENR only)",
    "R42": "Routing number or check digit error (ENR only)",
    "R43": "Invalid account number (ENR only)",
    "R44": "Invalid individual ID number (ENR only)",
    "R45": "Invalid individual or company name (ENR only)",
    "R46": "Invalid representative payee indicator (ENR only)",
    "R47": "Duplicate enrollment (ENR only)",
    "R50": "State law affects acceptance of re-presented checks (RCK)",
    "R51": "Re-presented check ineligible or entry improper (RCK)",
    "R52": "Stop payment on the re-presented check (RCK)",
    "R53": "Check and re-presented check entry both presented (RCK)",
    "R61": "Misrouted return",
    "R62": "Return of an erroneous or reversing debit",
    "R67": "Duplicate return",
    "R68": "Untimely return",
    "R69": "Field errors in the return",
    "R70": "Permissible return not accepted or not requested by the originating bank",
    "R71": "Misrouted dishonored return",
    "R72": "Untimely dishonored return",
    "R73": "Timely original return",
    "R74": "Corrected return",
    "R75": "Return not a duplicate",
    "R76": "No errors found in the original return",
    "R77": "Non-acceptance of an R62 dishonored return",
    "R80": "International (IAT) entry coding error",
    "R81": "Non-participant in the international (IAT) program",
    "R82": "Invalid foreign receiving bank identification",
    "R83": "Foreign receiving bank unable to settle",
    "R84": "Entry not processed by the gateway",
    "R85": "Incorrectly coded outbound international payment",
}

# Addenda99 layout variants: the ODFI dishonors a return (R61-R70), the RDFI contests that (R71-R77).
DISHONORED_RETURN_CODES: Final = frozenset({"R61", "R62", "R67", "R68", "R69", "R70"})
CONTESTED_RETURN_CODES: Final = frozenset({"R71", "R72", "R73", "R74", "R75", "R76", "R77"})
# Death of the receiver: the Addenda99 carries a date of death in positions 22-27.
DEATH_RETURN_CODES: Final = frozenset({"R14", "R15"})
# Returns that mean the vendor's bank details are wrong and must be fixed before paying again.
ACCOUNT_BLOCKING_RETURN_CODES: Final = frozenset({"R02", "R03", "R04", "R12", "R13", "R16", "R20"})


def return_reason(code: str) -> str | None:
    """The plain-English meaning of a return reason code, or None when it is not a Nacha code."""
    return RETURN_REASONS.get(code)


def return_variant(code: str) -> str:
    """'dishonored', 'contested' or 'return': which Addenda99 layout a code uses."""
    if code in DISHONORED_RETURN_CODES:
        return "dishonored"
    if code in CONTESTED_RETURN_CODES:
        return "contested"
    return "return"


__all__ = [
    "ACCOUNT_BLOCKING_RETURN_CODES",
    "CONTESTED_RETURN_CODES",
    "DEATH_RETURN_CODES",
    "DISHONORED_RETURN_CODES",
    "RETURN_REASONS",
    "return_reason",
    "return_variant",
]
