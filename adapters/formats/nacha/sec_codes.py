"""Standard Entry Class codes (batch header positions 51-53) and what each allows as addenda.

The reader reads every standard SEC code with the generic entry layout; only CTX-style codes (addenda count
in 55-58), IAT (its own header and entry layouts) and ADV (operator advices: own amount widths) differ in
layout. The limits below are the forward-entry limits; a return (Addenda99) or a notification of change
(Addenda98) is allowed on any SEC code and is counted separately.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class SecCode(StrEnum):
    """Nacha Standard Entry Class codes (moov-io/ach README table)."""

    ACK = "ACK"
    """Zero-dollar acknowledgment of a CCD credit, returned by the RDFI."""
    ADV = "ADV"
    """Automated accounting advice produced by an ACH Operator."""
    ARC = "ARC"
    """Accounts-receivable entry converted from a mailed check."""
    ATX = "ATX"
    """Zero-dollar acknowledgment of a CTX credit."""
    BOC = "BOC"
    """Back-office conversion of a check presented at a point of purchase."""
    CCD = "CCD"
    """Corporate credit or debit; CCD+ when it carries one remittance addenda."""
    CIE = "CIE"
    """Customer-initiated entry (bill payment credit)."""
    COR = "COR"
    """Notification of change or refused notification of change, from an RDFI."""
    CTX = "CTX"
    """Corporate trade exchange: an X12 remittance across up to 9,999 addenda."""
    DNE = "DNE"
    """Death notification entry from a federal agency."""
    ENR = "ENR"
    """Automated enrollment entry for federal government payments."""
    IAT = "IAT"
    """International ACH transaction (its own record layouts)."""
    MTE = "MTE"
    """Machine transfer entry (ATM)."""
    POP = "POP"
    """Point-of-purchase check conversion."""
    POS = "POS"
    """Point-of-sale entry."""
    PPD = "PPD"
    """Prearranged payment and deposit to a consumer account."""
    RCK = "RCK"
    """Re-presented check entry."""
    SHR = "SHR"
    """Shared network transaction."""
    TEL = "TEL"
    """Telephone-initiated consumer debit."""
    TRC = "TRC"
    """Check truncation entry."""
    TRX = "TRX"
    """Check truncation entries exchange (addenda count in 55-58, like CTX)."""
    WEB = "WEB"
    """Internet-initiated or mobile entry."""
    XCK = "XCK"
    """Destroyed check entry."""


STANDARD_SEC_CODES: Final = frozenset(c.value for c in SecCode)

# SEC codes whose entry holds the addenda count at 55-58 and a 16-character name at 59-74.
COUNTED_ADDENDA_SEC_CODES: Final = frozenset({"CTX", "ATX", "TRX", "ENR"})

# Forward-entry addenda limits: SEC -> (addenda type code, maximum count). Absent SEC codes allow none.
MAX_FORWARD_ADDENDA: Final[dict[str, tuple[str, int]]] = {
    "ACK": ("05", 1),
    "ATX": ("05", 9999),
    "CCD": ("05", 1),
    "CIE": ("05", 1),
    "CTX": ("05", 9999),
    "DNE": ("05", 1),
    "ENR": ("05", 9999),
    "MTE": ("02", 1),
    "POS": ("02", 1),
    "PPD": ("05", 1),
    "SHR": ("02", 1),
    "TRX": ("05", 9999),
    "WEB": ("05", 1),
}

# The SEC codes the builder writes. Reading is generic; writing is limited to what this engine originates
# (CCD, CCD+, CTX, PPD, WEB, TEL) and what a simulated bank sends back (returns in those batches, COR).
WRITABLE_SEC_CODES: Final = frozenset({"CCD", "CTX", "PPD", "WEB", "TEL", "CIE", "COR"})

__all__ = [
    "COUNTED_ADDENDA_SEC_CODES",
    "MAX_FORWARD_ADDENDA",
    "STANDARD_SEC_CODES",
    "SecCode",
    "WRITABLE_SEC_CODES",
]
