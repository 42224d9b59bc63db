"""Notification-of-change codes (Addenda98 positions 4-6) and the layout of their corrected data.

Valid: C01-C09, C13, C14 (NOCs) and C61-C69 (refused NOCs), as moov-io/ach and the Worldpay table agree.
C10-C12 appear in old lists but in neither current source: the reader flags them as ``invalid_change_code``
and does not guess a meaning (FORMATS.md §1.9). Corrected data (positions 36-64, 29 characters) is laid
out per code; :func:`parse_corrected_data` and :func:`format_corrected_data` are the two directions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

CHANGE_REASONS: Final[dict[str, str]] = {
    "C01": "Incorrect bank account number",
    "C02": "Incorrect routing number",
    "C03": "Incorrect routing number and bank account number",
    "C04": "Incorrect receiver name",
    "C05": "Incorrect transaction code (checking/savings)",
    "C06": "Incorrect bank account number and transaction code",
    "C07": "Incorrect routing number, bank account number and transaction code",
    "C08": "Incorrect receiving bank identification (international payments only)",
    "C09": "Incorrect individual ID number",
    "C13": "Addenda format error",
    "C14": "Incorrect SEC code for an outbound international payment",
    "C61": "Refused NOC: misrouted notification of change",
    "C62": "Refused NOC: incorrect trace number",
    "C63": "Refused NOC: incorrect company identification",
    "C64": "Refused NOC: incorrect individual ID or receiving company ID",
    "C65": "Refused NOC: corrected data incorrectly formatted",
    "C66": "Refused NOC: incorrect discretionary data",
    "C67": "Refused NOC: routing number not from the original entry",
    "C68": "Refused NOC: account number not from the original entry",
    "C69": "Refused NOC: incorrect transaction code",
}

REFUSED_CHANGE_CODES: Final = frozenset(c for c in CHANGE_REASONS if c >= "C61")
RETIRED_CHANGE_CODES: Final = frozenset({"C10", "C11", "C12"})


@dataclass(frozen=True, slots=True)
class CorrectedData:
    """The corrected values an RDFI sends, split per change code. Fields not carried by the code are None."""

    account_number: str | None = None
    routing_number: str | None = None
    transaction_code: int | None = None
    receiver_name: str | None = None
    identification: str | None = None


def change_reason(code: str) -> str | None:
    """The plain-English meaning of a change code, or None when it is not a current Nacha code."""
    return CHANGE_REASONS.get(code)


def _tc(text: str) -> int | None:
    text = text.strip()
    return int(text) if len(text) == 2 and text.isascii() and text.isdigit() else None


def _opt(text: str) -> str | None:
    return text.strip() or None


def parse_corrected_data(code: str, raw: str) -> CorrectedData:
    """Split the 29-character corrected data of an Addenda98 by its change code (layouts: FORMATS.md §1.9)."""
    raw = raw.ljust(29)
    if code == "C01":
        return CorrectedData(account_number=_opt(raw[:17]))
    if code == "C02":
        return CorrectedData(routing_number=_opt(raw[:9]))
    if code == "C03":
        return CorrectedData(routing_number=_opt(raw[:9]), account_number=_opt(raw[12:29]))
    if code == "C04":
        return CorrectedData(receiver_name=_opt(raw[:22]))
    if code == "C05":
        return CorrectedData(transaction_code=_tc(raw[:2]))
    if code == "C06":
        return CorrectedData(account_number=_opt(raw[:17]), transaction_code=_tc(raw[20:22]))
    if code == "C07":
        return CorrectedData(routing_number=_opt(raw[:9]), account_number=_opt(raw[9:26]), transaction_code=_tc(raw[26:28]))
    if code == "C09":
        return CorrectedData(identification=_opt(raw[:22]))
    return CorrectedData()


def corrected_data_problem(code: str, raw: str) -> str | None:
    """Why the corrected data does not suit the change code (None when it does, or the code has no layout)."""
    from .fields import is_valid_routing
    from .transaction_codes import ALL_TC_TEXT

    data = parse_corrected_data(code, raw)
    need = {
        "C01": ("account_number",), "C02": ("routing_number",), "C03": ("routing_number", "account_number"),
        "C04": ("receiver_name",), "C05": ("transaction_code",), "C06": ("account_number", "transaction_code"),
        "C07": ("routing_number", "account_number", "transaction_code"), "C09": ("identification",),
    }.get(code, ())
    for name in need:
        value = getattr(data, name)
        if value is None:
            return f"{code} must carry the corrected {name.replace('_', ' ')}"
        if name == "routing_number" and not is_valid_routing(value):
            return f"corrected routing number {value!r} is not a valid 9-digit routing number"
        if name == "transaction_code" and f"{value:02d}" not in ALL_TC_TEXT:
            return f"corrected transaction code {value} is not a Nacha transaction code"
    return None


def format_corrected_data(code: str, data: CorrectedData) -> str:
    """The 29-character corrected-data field for a change code; raises ValueError when a needed part is missing."""

    def need(value: object, what: str) -> str:
        if value is None or value == "":
            raise ValueError(f"{code} needs the corrected {what}")
        return f"{value:02d}" if isinstance(value, int) else str(value)

    if code == "C01":
        text = need(data.account_number, "account_number").ljust(17)
    elif code == "C02":
        text = need(data.routing_number, "routing_number")
    elif code == "C03":
        text = need(data.routing_number, "routing_number").ljust(12) + need(data.account_number, "account_number")
    elif code == "C04":
        text = need(data.receiver_name, "receiver_name")
    elif code == "C05":
        text = need(data.transaction_code, "transaction_code")
    elif code == "C06":
        text = need(data.account_number, "account_number").ljust(20) + need(data.transaction_code, "transaction_code")
    elif code == "C07":
        text = (
            need(data.routing_number, "routing_number").ljust(9)
            + need(data.account_number, "account_number").ljust(17)
            + need(data.transaction_code, "transaction_code")
        )
    elif code == "C09":
        text = need(data.identification, "identification")
    else:
        raise ValueError(f"{code} has no structured corrected data; pass the raw text")
    if len(text) > 29:
        raise ValueError(f"corrected data for {code} is {len(text)} characters; at most 29 fit")
    return text.ljust(29)


__all__ = [
    "CHANGE_REASONS",
    "REFUSED_CHANGE_CODES",
    "RETIRED_CHANGE_CODES",
    "CorrectedData",
    "change_reason",
    "corrected_data_problem",
    "format_corrected_data",
    "parse_corrected_data",
]
