"""pain.002 CustomerPaymentStatusReport reader, any version from .03 on (matched on local names).

Each TxInfAndSts becomes a ``PaymentStatus`` keyed by the end-to-end id we sent. A rejection at group or payment
block level rejects every payment under it, including those the report does not list one by one:
``StatusReport.resolve`` answers for them.
"""

from __future__ import annotations

from datetime import datetime

from payments.reconciliation.statements import PaymentOutcome, PaymentStatus, StatusReport, UnsupportedFormat

from .safexml import Node, local_name, namespace_version, parse_xml

FMT = "pain002"

# ISO status codes (.03 code list; later versions use the external list, a superset).
OUTCOMES = {
    "RJCT": PaymentOutcome.REJECTED,
    "ACCP": PaymentOutcome.ACCEPTED,   # accepted customer profile
    "ACSC": PaymentOutcome.ACCEPTED,   # accepted, settlement completed
    "ACSP": PaymentOutcome.ACCEPTED,   # accepted, settlement in process
    "ACTC": PaymentOutcome.ACCEPTED,   # accepted after technical validation
    "ACWC": PaymentOutcome.ACCEPTED,   # accepted with change
    "ACCC": PaymentOutcome.ACCEPTED,   # accepted, creditor account credited
    "ACFC": PaymentOutcome.ACCEPTED,   # accepted, funds checked
    "ACIS": PaymentOutcome.ACCEPTED,   # accepted and status issued
    "ACWP": PaymentOutcome.ACCEPTED,   # accepted without posting
    "PDNG": PaymentOutcome.PENDING,
    "RCVD": PaymentOutcome.PENDING,
    "CANC": PaymentOutcome.CANCELLED,
}
# PART (partially accepted) says "look at each transaction"; it never applies to a payment by itself.
PARTIAL = "PART"

# ExternalStatusReason1Code descriptions for the reasons a US AP desk meets most; others keep only their code.
REASONS = {
    "AC01": "incorrect account number",
    "AC03": "invalid creditor account number",
    "AC04": "closed account",
    "AC06": "blocked account",
    "AC13": "invalid debtor account type",
    "AG01": "transaction forbidden on this account",
    "AG02": "invalid bank operation code",
    "AM02": "amount exceeds the allowed maximum",
    "AM04": "insufficient funds",
    "AM05": "duplicate payment",
    "AM09": "wrong amount",
    "BE04": "missing creditor address",
    "CUST": "requested by customer",
    "DT01": "invalid date",
    "DUPL": "duplicate payment",
    "FF01": "invalid file format",
    "MD07": "end customer deceased",
    "MS02": "reason not specified (customer)",
    "MS03": "reason not specified (agent)",
    "NARR": "see narrative",
    "RC01": "bank identifier incorrect",
    "RR04": "regulatory reason",
    "TM01": "received after cut-off time",
}


def read_pain002(data: bytes) -> StatusReport:
    """Every payment status in a pain.002, or ``MalformedFile``/``XmlEntitiesForbidden`` and nothing."""
    root = parse_xml(data, FMT)
    document = Node(root, f"/{local_name(root.tag)}", FMT)
    report = document.child("CstmrPmtStsRpt")
    if document.name != "Document" or report is None:
        first = next(iter(root), None)
        found = f"{document.name}/{local_name(first.tag)}" if first is not None else document.name
        raise UnsupportedFormat(f"not a pain.002 status report: found {found}, expected Document/CstmrPmtStsRpt",
                                location=document.path)

    header = report.child("GrpHdr")
    if header is None:
        report.fail("the group header is missing", "GrpHdr")
    message_id = header.required("MsgId")
    if len(message_id) > 35:  # Max35Text
        header.fail(f"the message id is {len(message_id)} characters; ISO 20022 allows 35", "MsgId")
    group = report.child("OrgnlGrpInfAndSts")
    if group is None:
        report.fail("required element is missing", "OrgnlGrpInfAndSts")
    group.required("OrgnlMsgId")  # which of our messages this answers: without it nothing can be matched
    group_status = _status(group, "GrpSts", None, None)
    block_statuses: list[PaymentStatus] = []
    statuses: list[PaymentStatus] = []
    for block in report.children("OrgnlPmtInfAndSts"):
        block_id = block.text("OrgnlPmtInfId")
        block_status = _status(block, "PmtInfSts", None, block_id)
        if block_status is not None:
            block_statuses.append(block_status)
        inherited = _overriding(group_status) or _overriding(block_status)
        for tx in block.children("TxInfAndSts"):
            statuses.append(_transaction(tx, block_id, inherited, block_status or group_status))
    return StatusReport(
        message_id=message_id,
        created_at=_datetime(report, "GrpHdr", "CreDtTm"),
        original_message_id=group.text("OrgnlMsgId"),
        group_status=group_status,
        payment_info_statuses=tuple(block_statuses),
        statuses=tuple(statuses),
        format_version=namespace_version(root.tag),
    )


def _overriding(status: PaymentStatus | None) -> PaymentStatus | None:
    # Only a rejection or cancellation of the whole group or block overrides what a transaction line says.
    if status is not None and status.status in (PaymentOutcome.REJECTED, PaymentOutcome.CANCELLED):
        return status
    return None


def _status(node: Node, code_element: str, end_to_end_id: str | None,
            payment_info_id: str | None) -> PaymentStatus | None:
    code = node.text(code_element)
    if code is None or code == PARTIAL:
        return None
    reason_code, additional = _reason(node)
    return PaymentStatus(
        end_to_end_id=end_to_end_id,
        status=_outcome(code),
        reason_code=reason_code,
        reason_text=REASONS.get(reason_code) if reason_code else None,
        additional_info=additional,
        iso_status=code,
        original_payment_info_id=payment_info_id,
        location=node.path,
    )


def _transaction(tx: Node, block_id: str | None, overriding: PaymentStatus | None,
                 fallback: PaymentStatus | None) -> PaymentStatus:
    end_to_end_id = tx.text("OrgnlEndToEndId")
    own = _status(tx, "TxSts", end_to_end_id, block_id)
    chosen = overriding or own or fallback
    if chosen is None:
        # No status anywhere above or on the line: the bank has said nothing final.
        chosen = PaymentStatus(end_to_end_id, PaymentOutcome.PENDING, location=tx.path)
    # The line's own reason is the most specific one, even when a group rejection decides the outcome.
    reason_code, additional = _reason(tx)
    if reason_code is None and additional is None:
        reason_code, additional = chosen.reason_code, chosen.additional_info
    return PaymentStatus(
        end_to_end_id=end_to_end_id,
        status=chosen.status,
        reason_code=reason_code,
        reason_text=REASONS.get(reason_code) if reason_code else None,
        additional_info=additional,
        iso_status=chosen.iso_status,
        original_instruction_id=tx.text("OrgnlInstrId"),
        original_payment_info_id=block_id,
        location=tx.path,
        bank_reference=(tx.text("AcctSvcrRef") or "").strip()[:35] or None,
    )


def _outcome(code: str) -> PaymentOutcome:
    # An unknown code must not move money state either way: keep it pending, with iso_status saying what it was.
    return OUTCOMES.get(code, PaymentOutcome.PENDING)


def _reason(node: Node) -> tuple[str | None, str | None]:
    infos = node.children("StsRsnInf")
    if not infos:
        return None, None
    first = infos[0]
    code = first.text("Rsn", "Cd") or first.text("Rsn", "Prtry")
    additional = " ".join(text for info in infos for text in info.texts("AddtlInf")) or None
    return code, additional


def _datetime(node: Node, *names: str) -> datetime | None:
    text = node.text(*names)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        target = node.child(*names)
        assert target is not None
        target.fail(f"{text!r} is not an ISO date-time")
