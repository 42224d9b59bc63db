"""One camt entry (Ntry) -> ``StatementLine``: the model camt.052, .053 and .054 share, versions .02 to .08.

Elements are matched on local names and both shapes of fields that changed type between versions are read:
``<Sts>BOOK</Sts>`` (.02) and ``<Sts><Cd>BOOK</Cd></Sts>`` (.08), ``AmtDtls/TxAmt/Amt`` (.02) and ``TxDtls/Amt``
(.04+), ``RltdPties/Cdtr/Nm`` (.02) and ``RltdPties/Cdtr/Pty/Nm`` (.08).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from ledger.money import UnknownCurrency, minor_exponent
from payments.reconciliation.statements import (
    CreditDebit,
    EntryStatus,
    StatementLine,
    TransactionDetail,
    TransactionKind,
)

from adapters.formats.iso20022.safexml import Node

_AMOUNT = re.compile(r"\d{1,18}(\.\d{1,17})?")
_CURRENCY = re.compile(r"[A-Z]{3}")
_DIRECTIONS = {"CRDT": CreditDebit.CREDIT, "DBIT": CreditDebit.DEBIT}
_STATUSES = {"BOOK": EntryStatus.BOOKED, "PDNG": EntryStatus.PENDING, "INFO": EntryStatus.INFO,
             "FUTR": EntryStatus.FUTURE}
# "NOTPROVIDED" is the ISO placeholder for an absent reference; matching on it would join unrelated payments.
_PLACEHOLDERS = {"NOTPROVIDED", "NONREF"}

# ISO bank transaction sub-family codes that name the rail or the role (ExternalBankTransactionSubFamily1Code).
_SUBFAMILY_KINDS = {
    "ACDT": TransactionKind.ACH, "ADBT": TransactionKind.ACH, "ACOR": TransactionKind.ACH,
    "ASET": TransactionKind.ACH_SETTLEMENT, "ARET": TransactionKind.ACH_RETURN,
    "AREV": TransactionKind.ACH_REVERSAL, "RRTN": TransactionKind.RETURNED_ITEM,
    "UPCQ": TransactionKind.RETURNED_ITEM, "BOOK": TransactionKind.BOOK_TRANSFER,
    "CHRG": TransactionKind.FEE, "FEES": TransactionKind.FEE,
}
_FAMILY_KINDS = {
    "ICDT": TransactionKind.CREDIT_TRANSFER, "RCDT": TransactionKind.CREDIT_TRANSFER,
    "IRCT": TransactionKind.INSTANT, "RRCT": TransactionKind.INSTANT,
    "ICHQ": TransactionKind.CHECK_PAID, "RCHQ": TransactionKind.CHECK_DEPOSIT,
    "CHRG": TransactionKind.FEE,
}
_RETURN_KINDS = {TransactionKind.ACH_RETURN, TransactionKind.RETURNED_ITEM}


class EntryNotes:
    """Lenient readings an entry needed, collected so the statement can report each kind once."""

    def __init__(self) -> None:
        self.missing_status: list[str] = []
        self.missing_booking_date: list[str] = []


def read_entry(node: Node, line_ref: str, statement_date: date | None, notes: EntryNotes) -> StatementLine:
    amount_minor, currency = amount(node, "Amt")
    direction = _direction(node)
    status = _status(node, line_ref, notes)
    booking_date = date_of(node, "BookgDt")
    value_date = date_of(node, "ValDt")
    if booking_date is None:
        if status is EntryStatus.BOOKED:  # a pending or future entry has no booking date yet, by design
            notes.missing_booking_date.append(line_ref)
        booking_date = value_date or statement_date
    domain, family, subfamily = (node.text("BkTxCd", "Domn", "Cd"), node.text("BkTxCd", "Domn", "Fmly", "Cd"),
                                 node.text("BkTxCd", "Domn", "Fmly", "SubFmlyCd"))
    proprietary = node.text("BkTxCd", "Prtry", "Cd")
    kind = _SUBFAMILY_KINDS.get(subfamily or "") or _FAMILY_KINDS.get(family or "") or TransactionKind.OTHER
    reversal = (node.text("RvslInd") or "").lower() in ("true", "1") or kind is TransactionKind.ACH_REVERSAL

    details: list[TransactionDetail] = []
    batch_count = 0
    batch_ids: list[str] = []
    for entry_details in node.children("NtryDtls"):
        batch = entry_details.child("Btch")
        if batch is not None:
            batch_count += _count(batch, "NbOfTxs")
            if batch.text("PmtInfId"):
                batch_ids.append(batch.text("PmtInfId") or "")
        details.extend(_detail(tx, direction) for tx in entry_details.children("TxDtls"))
    # A batch's PmtInfId, or else the one PmtInfId every payment in the entry shares, names the batch we sent.
    shared = {d.payment_info_id for d in details if d.payment_info_id}
    payment_info_id = batch_ids[0] if batch_ids else (shared.pop() if len(shared) == 1 else None)
    single = details[0] if len(details) == 1 else None
    returned = next((d for d in details if d.return_reason), None)
    return StatementLine(
        line_ref=line_ref,
        direction=direction,
        amount_minor=amount_minor,
        currency=currency,
        booking_date=booking_date,
        value_date=value_date,
        status=status,
        kind=kind,
        type_code="/".join(c for c in (domain, family, subfamily) if c) or proprietary,
        bank_reference=node.text("AcctSvcrRef") or node.text("NtryRef"),
        customer_reference=(single.instruction_id or single.check_number) if single else None,
        end_to_end_id=single.end_to_end_id if single else None,
        payment_info_id=payment_info_id,
        batch_count=batch_count or (len(details) if len(details) > 1 else None),
        text=node.text("AddtlNtryInf") or (single.remittance if single else None),
        return_reason=returned.return_reason if returned else None,
        is_return=returned is not None or kind in _RETURN_KINDS,
        is_reversal=reversal,
        details=tuple(details),
    )


def _detail(tx: Node, direction: CreditDebit) -> TransactionDetail:
    amount_node = next((names for names in (("Amt",), ("AmtDtls", "TxAmt", "Amt"), ("AmtDtls", "InstdAmt", "Amt"))
                        if tx.child(*names) is not None), None)
    amount_minor, currency = amount(tx, *amount_node) if amount_node else (None, None)
    # The other side of the payment: whom we paid on a debit, who paid us on a credit.
    party = "Cdtr" if direction is CreditDebit.DEBIT else "Dbtr"
    remittance_node, return_node = tx.child("RmtInf"), tx.child("RtrInf")
    remittance = " ".join(text for text in remittance_node.texts("Ustrd") if text.upper() not in _PLACEHOLDERS) \
        if remittance_node is not None else ""
    return_info = " ".join(return_node.texts("AddtlInf")) if return_node is not None else ""
    return TransactionDetail(
        end_to_end_id=_reference(tx, "EndToEndId"),
        instruction_id=_reference(tx, "InstrId"),
        transaction_id=_reference(tx, "TxId"),
        payment_info_id=_reference(tx, "PmtInfId"),
        message_id=_reference(tx, "MsgId"),
        check_number=_reference(tx, "ChqNb"),
        amount_minor=amount_minor,
        currency=currency,
        counterparty_name=tx.text("RltdPties", party, "Nm") or tx.text("RltdPties", party, "Pty", "Nm"),
        remittance=remittance or None,
        return_reason=tx.text("RtrInf", "Rsn", "Cd") or tx.text("RtrInf", "Rsn", "Prtry"),
        return_info=return_info or None,
    )


def _reference(tx: Node, name: str) -> str | None:
    value = tx.text("Refs", name)
    return None if value is None or value.upper() in _PLACEHOLDERS else value


def _direction(node: Node) -> CreditDebit:
    indicator = node.text("CdtDbtInd")
    if indicator not in _DIRECTIONS:
        node.fail(f"CdtDbtInd must be CRDT or DBIT, found {indicator!r}", "CdtDbtInd")
    return _DIRECTIONS[indicator]


def _status(node: Node, line_ref: str, notes: EntryNotes) -> EntryStatus:
    # .02 carries the code as the text of Sts; .08 wraps it in Sts/Cd (or Sts/Prtry).
    code = node.text("Sts") or node.text("Sts", "Cd") or node.text("Sts", "Prtry")
    if code is None:
        notes.missing_status.append(line_ref)
        return EntryStatus.BOOKED
    if code not in _STATUSES:
        node.fail(f"entry status {code!r} is not one of {sorted(_STATUSES)}", "Sts")
    return _STATUSES[code]


def _count(node: Node, name: str) -> int:
    text = node.text(name)
    if text is None:
        return 0
    if not text.isdigit():
        node.fail(f"{text!r} is not a count", name)
    return int(text)


def amount(node: Node, *names: str) -> tuple[int, str]:
    """An ISO ActiveOrHistoricCurrencyAndAmount as exact integer minor units and its currency."""
    target = node.child(*names)
    if target is None:
        node.fail("required amount is missing", "/".join(names))
    text = (target.element.text or "").strip()
    currency = target.element.get("Ccy")
    if not _AMOUNT.fullmatch(text):
        target.fail(f"amount {text!r} is not an unsigned decimal number")
    if currency is None or not _CURRENCY.fullmatch(currency):
        target.fail(f"currency {currency!r} is not an ISO 4217 code", "@Ccy")
    return to_minor(target, Decimal(text), currency), currency


def check_currency(node: Node, currency: str, field: str) -> str:
    """``currency`` if it is a known ISO 4217 code, else a refusal naming the element."""
    try:
        if _CURRENCY.fullmatch(currency):
            minor_exponent(currency)
            return currency
    except UnknownCurrency:
        pass
    node.fail(f"currency {currency!r} is not a known ISO 4217 code", field)


def to_minor(node: Node, value: Decimal, currency: str) -> int:
    """``value`` in ``currency`` as integer minor units; refuses an unknown currency or extra decimals."""
    try:
        exponent = minor_exponent(currency)
    except UnknownCurrency:
        node.fail(f"unknown currency {currency!r}", "@Ccy")
    minor = value.scaleb(exponent)
    if minor != minor.to_integral_value():
        node.fail(f"amount {value} has more decimals than {currency} allows ({exponent})")
    return int(minor)


def date_of(node: Node, name: str) -> date | None:
    """The date of a DateAndDateTimeChoice (``<X><Dt>`` or ``<X><DtTm>``), or None when absent."""
    target = node.child(name)
    if target is None:
        return None
    text = target.text("Dt")
    try:
        if text is not None:
            return date.fromisoformat(text)
        text = target.text("DtTm")
        return datetime.fromisoformat(text).date() if text is not None else None
    except ValueError:
        target.fail(f"{text!r} is not an ISO date or date-time")
