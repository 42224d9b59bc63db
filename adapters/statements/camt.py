"""camt.052/.053/.054 reader: bank statements, reports and notifications, versions .02 to .08, any namespace.

Parsing is hardened (no DTD, no entities). Each statement is checked against itself: opening balance plus
booked credits minus booked debits must equal the closing balance, and TxsSummry counts and sums, when present,
must agree with the entries. A disagreement is a ``Finding``; a file that cannot be read is refused whole.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Protocol

from ledger.money import minor_exponent

from payments.reconciliation.statements import (
    CreditDebit,
    EntryStatus,
    Finding,
    FindingCode,
    ImportedFile,
    Severity,
    Statement,
    StatementFormat,
    StatementLine,
    UnsupportedFormat,
)

from .camt_entry import EntryNotes, amount, check_currency, date_of, read_entry
from adapters.formats.iso20022.safexml import Node, local_name, namespace_version, parse_xml

FMT = "camt"
PARSER = "disburse.camt"
# Message element -> (repeating report element, format).
MESSAGES = {
    "BkToCstmrStmt": ("Stmt", StatementFormat.CAMT_053),
    "BkToCstmrAcctRpt": ("Rpt", StatementFormat.CAMT_052),
    "BkToCstmrDbtCdtNtfctn": ("Ntfctn", StatementFormat.CAMT_054),
}
# Booked opening and closing balances, each with the fallback some banks send instead.
OPENING = ("OPBD", "PRCD")
CLOSING = ("CLBD", "CLAV")
MAX35 = 35  # ISO 20022 Max35Text: message and statement identifications

class AddFinding(Protocol):
    def __call__(self, code: FindingCode, message_text: str, location: str,
                 severity: Severity = Severity.ERROR) -> None: ...


def read_camt(data: bytes, digest: str) -> ImportedFile:
    """Every statement in a camt message, with findings, or ``MalformedFile``/``UnsupportedFormat`` and nothing."""
    root = parse_xml(data, FMT)
    document = Node(root, f"/{local_name(root.tag)}", FMT)
    message = next(iter(document.element), None)
    if document.name != "Document" or message is None or local_name(message.tag) not in MESSAGES:
        found = document.name + (f"/{local_name(message.tag)}" if message is not None else "")
        raise UnsupportedFormat(f"not a camt.052/053/054 message: found {found}", location=document.path)
    container = document.child(local_name(message.tag))
    assert container is not None
    report_name, fmt = MESSAGES[container.name]
    message_id = _message_id(container)
    reports = container.children(report_name)
    if not reports:
        container.fail(f"a {fmt} message needs at least one {report_name}", report_name)

    findings: list[Finding] = []

    def add(code: FindingCode, message_text: str, location: str, severity: Severity = Severity.ERROR) -> None:
        findings.append(Finding(code, message_text, location, severity))

    statements = tuple(_statement(node, index, fmt, add) for index, node in enumerate(reports, 1))
    created = container.text("GrpHdr", "CreDtTm")
    return ImportedFile(
        format=fmt,
        digest=digest,
        statements=statements,
        findings=tuple(findings),
        format_version=namespace_version(root.tag),
        message_id=message_id,
        created_at=_datetime(container, created, "GrpHdr/CreDtTm"),
        parser=PARSER,
    )


def _message_id(container: Node) -> str:
    """GrpHdr and its MsgId are mandatory in every camt version (MsgId is Max35Text): refused when missing or longer."""
    header = container.child("GrpHdr")
    if header is None:
        container.fail("the group header is missing", "GrpHdr")
    message_id = header.required("MsgId")
    if len(message_id) > MAX35:
        header.fail(f"the message id is {len(message_id)} characters; ISO 20022 allows {MAX35}", "MsgId")
    return message_id


def _statement(node: Node, index: int, fmt: StatementFormat, add: AddFinding) -> Statement:
    account_id = node.text("Acct", "Id", "IBAN") or node.text("Acct", "Id", "Othr", "Id")
    if account_id is None:
        node.fail("the account has neither an IBAN nor an Othr/Id", "Acct/Id")
    balances = _balances(node, add)
    created = node.text("CreDtTm")
    created_at = _datetime(node, created, "CreDtTm")
    closing_code = next((code for code in CLOSING if code in balances), None)
    opening_code = next((code for code in OPENING if code in balances), None)
    period_end = _datetime(node, node.text("FrToDt", "ToDtTm"), "FrToDt/ToDtTm")
    # The day the statement reports on: its closing balance's date, else the end of its period, else the
    # opening balance's date; the creation time is the last resort (statements are often made the day after).
    statement_date = ((balances[closing_code][2] if closing_code else None)
                      or (period_end.date() if period_end else None)
                      or (balances[opening_code][2] if opening_code else None)
                      or (created_at.date() if created_at else None))

    notes = EntryNotes()
    lines = tuple(read_entry(entry, f"stmt {index} entry {n}", statement_date, notes)
                  for n, entry in enumerate(node.children("Ntry"), 1))
    account_currency = node.text("Acct", "Ccy")
    if account_currency is not None:
        check_currency(node, account_currency, "Acct/Ccy")
    currency = account_currency or next((b[1] for b in balances.values()), None) or (
        lines[0].currency if lines else None)
    if currency is None:
        node.fail("no currency: the account, balances and entries all leave it out", "Acct/Ccy")

    _report_notes(node.path, notes, add)
    opening = balances[opening_code][0] if opening_code else None
    closing = balances[closing_code][0] if closing_code else None
    _check_balance(node.path, fmt, currency, lines, opening, closing, (opening_code, closing_code), add)
    summary = node.child("TxsSummry")
    if summary is not None:
        _check_summary(summary, currency, lines, add)
    return Statement(
        account_id=account_id,
        currency=currency,
        statement_date=statement_date,
        opening_balance_minor=opening,
        closing_balance_minor=closing,
        lines=lines,
        statement_id=node.text("Id"),
        location=node.path,
        interim=fmt is StatementFormat.CAMT_052,
    )


def _balances(node: Node, add: AddFinding) -> dict[str, tuple[int, str, date | None]]:
    """Balance type code -> (signed minor units, currency, date); the first of each type wins."""
    balances: dict[str, tuple[int, str, date | None]] = {}
    missing_indicator: list[str] = []
    for balance in node.children("Bal"):
        code = balance.text("Tp", "CdOrPrtry", "Cd") or balance.text("Tp", "CdOrPrtry", "Prtry")
        if code is None:
            balance.fail("balance type is missing", "Tp/CdOrPrtry")
        value, currency = amount(balance, "Amt")
        indicator = balance.text("CdtDbtInd")
        if indicator is None:
            # Seen from a real producer (corpus: camt053-v08-lenient-*): read as a credit balance, and say so.
            missing_indicator.append(f"{code} ({balance.path})")
        elif indicator not in ("CRDT", "DBIT"):
            balance.fail(f"CdtDbtInd must be CRDT or DBIT, found {indicator!r}", "CdtDbtInd")
        signed = -value if indicator == "DBIT" else value
        balances.setdefault(code, (signed, currency, date_of(balance, "Dt")))
    if missing_indicator:
        add(FindingCode.BALANCE_INDICATOR_MISSING,
            f"{len(missing_indicator)} balance(s) without CdtDbtInd, read as credit balances: "
            + ", ".join(missing_indicator), node.path, Severity.WARNING)
    return balances


def _report_notes(location: str, notes: EntryNotes, add: AddFinding) -> None:
    if notes.missing_status:
        add(FindingCode.ENTRY_STATUS_MISSING,
            f"{len(notes.missing_status)} entries without Sts, read as booked: " + ", ".join(notes.missing_status),
            location, Severity.WARNING)
    if notes.missing_booking_date:
        add(FindingCode.BOOKING_DATE_MISSING,
            f"{len(notes.missing_booking_date)} entries without BookgDt, dated by value date or statement date: "
            + ", ".join(notes.missing_booking_date), location, Severity.WARNING)


def _check_balance(location: str, fmt: StatementFormat, currency: str, lines: tuple[StatementLine, ...],
                   opening: int | None, closing: int | None, codes: tuple[str | None, str | None],
                   add: AddFinding) -> None:
    foreign = [line.line_ref for line in lines if line.currency != currency]
    if foreign:
        add(FindingCode.CURRENCY_MISMATCH, f"entries not in the statement currency {currency}, left out of the "
            "balance check: " + ", ".join(foreign), location, Severity.WARNING)
    if opening is None or closing is None:
        # A notification (054) or an intraday report (052) need not carry balances; a statement must.
        if fmt is StatementFormat.CAMT_053:
            add(FindingCode.BALANCE_MISSING, "the statement lacks an opening (OPBD/PRCD) or closing (CLBD/CLAV) "
                "balance, so its entries could not be checked against them", location, Severity.WARNING)
        return
    booked = sum(line.signed_amount_minor for line in lines
                 if line.status is EntryStatus.BOOKED and line.currency == currency)
    if opening + booked != closing:
        add(FindingCode.BALANCE_MISMATCH,
            f"opening {codes[0]} {_show(opening, currency)} + booked entries {_show(booked, currency)} = "
            f"{_show(opening + booked, currency)}, but closing {codes[1]} is {_show(closing, currency)}",
            location)


def _check_summary(summary: Node, currency: str, lines: tuple[StatementLine, ...], add: AddFinding) -> None:
    groups = {
        "TtlNtries": lines,
        "TtlCdtNtries": tuple(line for line in lines if line.direction is CreditDebit.CREDIT),
        "TtlDbtNtries": tuple(line for line in lines if line.direction is CreditDebit.DEBIT),
    }
    exponent = minor_exponent(currency)
    for name, members in groups.items():
        group = summary.child(name)
        if group is None:
            continue
        # The sums cover every entry, booked or not: TxsSummry describes the entries as listed.
        count = group.text("NbOfNtries")
        if count is not None and (not count.isdigit() or int(count) != len(members)):
            add(FindingCode.TRANSACTION_SUMMARY_MISMATCH,
                f"{name}/NbOfNtries says {count}, the statement has {len(members)} such entries", group.path)
        actual = Decimal(sum(line.amount_minor for line in members)).scaleb(-exponent)
        _compare(group, "Sum", actual, f"{name}/Sum", add)
    totals = summary.child("TtlNtries")
    if totals is not None:
        net = Decimal(sum(line.signed_amount_minor for line in lines)).scaleb(-exponent)
        # .02 puts the net amount in TtlNetNtryAmt + CdtDbtInd; .03 and later in TtlNetNtry/Amt + CdtDbtInd.
        net_node = totals.child("TtlNetNtry") or totals
        amount_name = "Amt" if net_node is not totals else "TtlNetNtryAmt"
        sign = -1 if net_node.text("CdtDbtInd") == "DBIT" else 1
        _compare(net_node, amount_name, net, f"TtlNtries net ({amount_name})", add, sign)


def _compare(node: Node, name: str, actual: Decimal, label: str, add: AddFinding, sign: int = 1) -> None:
    text = node.text(name)
    if text is None:
        return
    try:
        stated = Decimal(text) * sign
    except InvalidOperation:
        node.fail(f"{text!r} is not a decimal number", name)
    if stated != actual:
        add(FindingCode.TRANSACTION_SUMMARY_MISMATCH, f"{label} says {stated}, the entries add up to {actual}",
            f"{node.path}/{name}")


def _datetime(node: Node, text: str | None, field: str) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        node.fail(f"{text!r} is not an ISO date-time", field)


def _show(minor: int, currency: str) -> str:
    return f"{format(Decimal(minor).scaleb(-minor_exponent(currency)), 'f')} {currency}"
