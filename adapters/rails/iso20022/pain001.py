"""pain.001 CustomerCreditTransferInitiation writer (versions .03 and .09) for US ACH vendor payments.

Takes plain dataclasses, computes every count and control sum itself, formats amounts from integer minor units
with Decimal (never float), and validates the result against the official XSD before handing it back: a message
that fails is never returned. US conventions follow FORMATS.md §3.1 (ABA routing in ClrSysMmbId/USABA, account in
Othr/Id with SchmeNm BBAN, SEC code in LclInstrm, addenda text in RmtInf/Ustrd).
"""

from __future__ import annotations

import enum
import functools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from importlib import resources

import xmlschema

from ledger.money import UnknownCurrency, minor_exponent
from payments.reconciliation.statements import FormatError, SchemaViolation, UnsupportedFormat

SCHEMAS = {"pain.001.001.03": "pain.001.001.03.xsd", "pain.001.001.09": "pain.001.001.09.xsd"}
DEFAULT_VERSION = "pain.001.001.09"
_NS = re.compile(r"\{[^}]*\}")  # "{urn:...}Tag" -> "Tag" in XSD error paths, for people to read


class LocalInstrument(enum.StrEnum):
    """The NACHA SEC code the bank should use when it turns the instruction into an ACH entry."""

    CCD = "CCD"
    """Corporate credit or debit: payments to businesses."""
    PPD = "PPD"
    """Prearranged payment and deposit: payments to consumers."""
    CTX = "CTX"
    """Corporate trade exchange: business payment with structured (EDI 820) remittance."""


class CashAccountType(enum.StrEnum):
    """The ISO cash account type, which the bank maps to the checking or savings ACH transaction code."""

    CHECKING = "CACC"
    """Current (checking) account."""
    SAVINGS = "SVGS"
    """Savings account."""


@dataclass(frozen=True)
class Debtor:
    """The paying entity: its name, its account and the ABA routing number of the bank holding it."""

    name: str
    account_number: str
    routing_number: str
    company_id: str | None = None
    account_type: CashAccountType | None = None


@dataclass(frozen=True)
class ReferredDocument:
    """One document of a structured remittance: an invoice paid (``CINV``, RmtdAmt) or a credit note deducted
    (``CREN``, CdtNoteAmt), with the vendor's own number for it.

    An invoice paid with prompt-payment interest also carries what was due (DuePyblAmt), the interest as an
    adjustment added to it (AdjstmntAmtAndRsn: CRDT, an increase; reason ``INTR``) and, in words, the rule set the
    interest was computed under (its AddtlInf and the document's AddtlRmtInf, 140 characters each)."""

    kind: str
    number: str
    amount_minor: int
    due_minor: int | None = None
    interest_minor: int = 0
    interest_note: str | None = None


@dataclass(frozen=True)
class CreditTransfer:
    """One payment to one vendor; ``end_to_end_id`` comes back in pain.002 and camt and is the match key."""

    end_to_end_id: str
    amount_minor: int
    currency: str
    creditor_name: str
    creditor_routing_number: str
    creditor_account_number: str
    remittance: str | None = None
    instruction_id: str | None = None
    creditor_account_type: CashAccountType | None = None
    documents: tuple[ReferredDocument, ...] = ()


@dataclass(frozen=True)
class PaymentBlock:
    """One PmtInf: transfers from one debtor account on one execution date, booked as one batch by default."""

    payment_info_id: str
    requested_execution_date: date
    debtor: Debtor
    transfers: tuple[CreditTransfer, ...]
    local_instrument: LocalInstrument = LocalInstrument.CCD
    category_purpose: str | None = "SUPP"
    service_level: str | None = None
    batch_booking: bool = True


@dataclass(frozen=True)
class CreditTransferInitiation:
    """A whole pain.001 message."""

    message_id: str
    created_at: datetime
    initiating_party_name: str
    blocks: tuple[PaymentBlock, ...]
    initiating_party_id: str | None = None


class InvalidPain001(FormatError):
    """A credit transfer the XSD would pass but a bank would not: an ABA check digit, a non-positive amount, a
    repeated end-to-end id (``location`` and ``field`` say where)."""

    code = "invalid_pain001"


def build_pain001(message: CreditTransferInitiation, version: str = DEFAULT_VERSION) -> bytes:
    """The message as UTF-8 XML bytes, valid against the official ``version`` XSD, or an error saying why not.

    Raises ``FormatError`` (code ``invalid_pain001``) for input the XSD cannot judge (ABA check digit, a
    non-positive amount, a repeated end-to-end id) and ``SchemaViolation`` listing every XSD problem.
    """
    if version not in SCHEMAS:
        raise UnsupportedFormat(f"pain.001 version {version!r} is not supported; use one of {sorted(SCHEMAS)}")
    _check_input(message)
    root = _Builder(version).document(message)
    ET.indent(root)
    # Elements are built with bare names and one xmlns on the root (ElementTree's default_namespace option
    # refuses the unqualified Ccy attribute); validating the re-read bytes checks exactly what we hand back.
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode").encode() + b"\n"
    written = ET.fromstring(data)  # our own output: no untrusted input reaches this parser
    problems = [f"{_NS.sub('', error.path or '/')}: {error.reason}"
                for error in _schema(version).iter_errors(written)]
    if problems:
        raise SchemaViolation(version, problems)
    return data


def format_amount(amount_minor: int, currency: str) -> str:
    """Minor units as the exact decimal text ISO expects: 745000 USD -> '7450.00', 5000 JPY -> '5000'."""
    exponent = minor_exponent(currency)
    return format(Decimal(amount_minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent)), "f")


def control_sum(transfers: list[CreditTransfer]) -> str:
    """The ISO CtrlSum: the plain sum of the amounts "irrespective of currencies", exact."""
    total = sum((Decimal(format_amount(t.amount_minor, t.currency)) for t in transfers), Decimal(0))
    return format(total, "f")


@functools.cache
def _schema(version: str) -> xmlschema.XMLSchema:
    # Compiling the .09 schema takes about half a second; do it once per process, on first use.
    ref = resources.files(__package__).joinpath("schemas", SCHEMAS[version])
    with resources.as_file(ref) as path:
        return xmlschema.XMLSchema(str(path))


def aba_check_digit_ok(routing_number: str) -> bool:
    """True for a nine-digit ABA routing number whose 3-7-1 weighted digit sum is a multiple of ten."""
    if len(routing_number) != 9 or not routing_number.isdigit():
        return False
    weights = (3, 7, 1) * 3
    return sum(int(d) * w for d, w in zip(routing_number, weights)) % 10 == 0


def _check_input(message: CreditTransferInitiation) -> None:
    # Only what the XSD cannot see: it knows lengths and patterns, not check digits or uniqueness.
    def fail(where: str, field: str, reason: str) -> None:
        raise InvalidPain001(reason, location=where, field=field)

    if not message.blocks:
        fail("Document/CstmrCdtTrfInitn", "PmtInf", "a message needs at least one payment block")
    seen: dict[str, str] = {}
    for b, block in enumerate(message.blocks, 1):
        block_at = f"PmtInf[{b}]"
        if not block.transfers:
            fail(block_at, "CdtTrfTxInf", "a payment block needs at least one transfer")
        if not aba_check_digit_ok(block.debtor.routing_number):
            fail(block_at, "DbtrAgt/FinInstnId/ClrSysMmbId/MmbId",
                 f"routing number {block.debtor.routing_number!r} is not a valid ABA number")
        for t, transfer in enumerate(block.transfers, 1):
            at = f"{block_at}/CdtTrfTxInf[{t}]"
            if transfer.amount_minor <= 0:
                fail(at, "Amt/InstdAmt", f"amount must be positive, got {transfer.amount_minor} minor units")
            try:
                minor_exponent(transfer.currency)
            except UnknownCurrency:
                fail(at, "Amt/InstdAmt/@Ccy", f"unknown currency {transfer.currency!r}")
            if not aba_check_digit_ok(transfer.creditor_routing_number):
                fail(at, "CdtrAgt/FinInstnId/ClrSysMmbId/MmbId",
                     f"routing number {transfer.creditor_routing_number!r} is not a valid ABA number")
            if transfer.end_to_end_id in seen:
                fail(at, "PmtId/EndToEndId", f"end-to-end id {transfer.end_to_end_id!r} repeats "
                     f"{seen[transfer.end_to_end_id]}; it must identify one payment")
            seen[transfer.end_to_end_id] = at


class _Builder:
    """Lays the message out element by element, in the order each version's XSD sequences demand."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.v09 = version >= "pain.001.001.09"

    def sub(self, parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
        element = ET.SubElement(parent, tag, attrib)
        if text is not None:
            element.text = text
        return element

    def path(self, parent: ET.Element, tags: str, text: str) -> ET.Element:
        """``path(p, "A/B/C", "x")`` adds <A><B><C>x</C></B></A> under ``p``."""
        for tag in tags.split("/"):
            parent = self.sub(parent, tag)
        parent.text = text
        return parent

    def document(self, message: CreditTransferInitiation) -> ET.Element:
        root = ET.Element("Document", xmlns=f"urn:iso:std:iso:20022:tech:xsd:{self.version}")
        initiation = self.sub(root, "CstmrCdtTrfInitn")
        every = [t for block in message.blocks for t in block.transfers]
        header = self.sub(initiation, "GrpHdr")
        self.sub(header, "MsgId", message.message_id)
        self.sub(header, "CreDtTm", message.created_at.isoformat(timespec="seconds"))
        self.sub(header, "NbOfTxs", str(len(every)))
        self.sub(header, "CtrlSum", control_sum(every))
        self.party(self.sub(header, "InitgPty"), message.initiating_party_name, message.initiating_party_id)
        for block in message.blocks:
            self.payment_block(initiation, block)
        return root

    def party(self, element: ET.Element, name: str, org_id: str | None) -> None:
        self.sub(element, "Nm", name)
        if org_id:
            self.path(element, "Id/OrgId/Othr/Id", org_id)

    def agent(self, element: ET.Element, routing_number: str) -> None:
        member = self.sub(self.sub(element, "FinInstnId"), "ClrSysMmbId")
        self.path(member, "ClrSysId/Cd", "USABA")
        self.sub(member, "MmbId", routing_number)

    def account(self, element: ET.Element, number: str, account_type: CashAccountType | None) -> None:
        other = self.sub(self.sub(element, "Id"), "Othr")
        self.sub(other, "Id", number)
        self.path(other, "SchmeNm/Cd", "BBAN")
        if account_type:
            self.path(element, "Tp/Cd", account_type.value)

    def payment_block(self, parent: ET.Element, block: PaymentBlock) -> None:
        info = self.sub(parent, "PmtInf")
        self.sub(info, "PmtInfId", block.payment_info_id)
        self.sub(info, "PmtMtd", "TRF")
        self.sub(info, "BtchBookg", "true" if block.batch_booking else "false")
        self.sub(info, "NbOfTxs", str(len(block.transfers)))
        self.sub(info, "CtrlSum", control_sum(list(block.transfers)))
        type_info = self.sub(info, "PmtTpInf")
        if block.service_level:
            self.path(type_info, "SvcLvl/Cd", block.service_level)
        self.path(type_info, "LclInstrm/Cd", block.local_instrument.value)
        if block.category_purpose:
            self.path(type_info, "CtgyPurp/Cd", block.category_purpose)
        # .03 has a bare ISODate; .09 wraps it in the date-or-datetime choice.
        if self.v09:
            self.path(info, "ReqdExctnDt/Dt", block.requested_execution_date.isoformat())
        else:
            self.sub(info, "ReqdExctnDt", block.requested_execution_date.isoformat())
        debtor = block.debtor
        self.party(self.sub(info, "Dbtr"), debtor.name, debtor.company_id)
        self.account(self.sub(info, "DbtrAcct"), debtor.account_number, debtor.account_type)
        self.agent(self.sub(info, "DbtrAgt"), debtor.routing_number)
        for transfer in block.transfers:
            self.transfer(info, transfer)

    def transfer(self, parent: ET.Element, transfer: CreditTransfer) -> None:
        tx = self.sub(parent, "CdtTrfTxInf")
        payment_id = self.sub(tx, "PmtId")
        if transfer.instruction_id:
            self.sub(payment_id, "InstrId", transfer.instruction_id)
        self.sub(payment_id, "EndToEndId", transfer.end_to_end_id)
        self.sub(self.sub(tx, "Amt"), "InstdAmt", format_amount(transfer.amount_minor, transfer.currency),
                 Ccy=transfer.currency)
        self.agent(self.sub(tx, "CdtrAgt"), transfer.creditor_routing_number)
        self.sub(self.sub(tx, "Cdtr"), "Nm", transfer.creditor_name)
        self.account(self.sub(tx, "CdtrAcct"), transfer.creditor_account_number, transfer.creditor_account_type)
        if transfer.remittance or transfer.documents:
            info = self.sub(tx, "RmtInf")
            if transfer.remittance:
                self.sub(info, "Ustrd", transfer.remittance)
            for doc in transfer.documents:
                self.referred_document(info, doc, transfer.currency)

    def referred_document(self, info: ET.Element, doc: ReferredDocument, currency: str) -> None:
        structured = self.sub(info, "Strd")
        referred = self.sub(structured, "RfrdDocInf")
        self.path(referred, "Tp/CdOrPrtry/Cd", doc.kind)
        self.sub(referred, "Nb", doc.number[:35])
        amounts = self.sub(structured, "RfrdDocAmt")
        if doc.interest_minor and doc.due_minor is not None:
            self.sub(amounts, "DuePyblAmt", format_amount(doc.due_minor, currency), Ccy=currency)
            adjustment = self.sub(amounts, "AdjstmntAmtAndRsn")
            self.sub(adjustment, "Amt", format_amount(doc.interest_minor, currency), Ccy=currency)
            self.sub(adjustment, "CdtDbtInd", "CRDT")  # an increase: interest added to what was due
            self.sub(adjustment, "Rsn", "INTR")
            if doc.interest_note:
                self.sub(adjustment, "AddtlInf", doc.interest_note[:140])
        self.sub(amounts, "CdtNoteAmt" if doc.kind == "CREN" else "RmtdAmt",
                 format_amount(doc.amount_minor, currency), Ccy=currency)
        if doc.interest_minor and doc.interest_note:
            self.sub(structured, "AddtlRmtInf", doc.interest_note[:140])
