"""Remittance addenda: CCD+ (one X12 ``RMR`` segment) and CTX (an X12 820 transaction set).

Both use the X12 separators NACHA prescribes for ACH addenda: ``*`` between elements, ``\\`` after each
segment. Amounts are integer cents turned into ``1234.56`` text by exact integer arithmetic.

* :func:`rmr_addenda` - CCD+: ``RMR*IV*<invoice>*PI*<paid>*<gross>*<discount>\\`` in one Addenda05 (80
  characters at most; longer is refused, never truncated). :func:`ccd_plus_addenda` adds, for an invoice paid with
  prompt-payment interest, ``REF*ZZ*INTEREST <amount>*<rule>\\`` naming the rule set it was computed under, when
  both segments fit in the 80 characters (the RMR alone otherwise).
* :func:`ctx_addenda` - CTX: ISA/GS/ST/BPR/TRN/N1/ENT/ADX (a credit memo deducted)/RMR(/DTM)/SE/GE/IEA, cut into as many
  80-character Addenda05 as needed (at most 9,999). The builder numbers them 0001.. and sets the entry's
  addenda count (55-58).
* :func:`parse_rmr` / :func:`ctx_segments` read them back (tests, reconciliation, vendor portal).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from .addenda05 import Addenda05
from .errors import NachaBuildError
from .fields import cents_to_decimal_text, decimal_text_to_cents

ADDENDA_TEXT_LENGTH = 80
MAX_CTX_ADDENDA = 9999
# X12 element text: printable ASCII except the separators this layout reserves (* \ ~ >), and not blank.
_ELEMENT = re.compile(r"[ -~]+")
_RESERVED = frozenset("*\\~>^")


def _element(where: str, field: str, value: object, max_len: int) -> str:
    if not isinstance(value, str) or not value.strip() or _ELEMENT.fullmatch(value) is None:
        raise NachaBuildError("invalid_format", where, field, f"{value!r} must be non-blank printable ASCII")
    bad = _RESERVED.intersection(value)
    if bad:
        raise NachaBuildError("invalid_format", where, field, f"{value!r} contains the X12 separator {''.join(sorted(bad))!r}")
    if len(value) > max_len:
        raise NachaBuildError("field_too_long", where, field, f"{value!r} is {len(value)} characters; at most {max_len}")
    return value.upper()


def _money(where: str, field: str, cents: object) -> str:
    if type(cents) is not int or cents < 0:
        raise NachaBuildError("invalid_type", where, field, f"{cents!r} must be a non-negative int number of cents")
    return cents_to_decimal_text(cents)


def _trim(elements: list[str]) -> str:
    """Join elements, dropping trailing empty ones (X12 forbids trailing separators)."""
    while elements and elements[-1] == "":
        elements.pop()
    return "*".join(elements) + "\\"


@dataclass(frozen=True, slots=True, kw_only=True)
class InvoiceRemittance:
    """One invoice paid: what the vendor's receivables clerk needs to apply the cash."""

    invoice_number: str
    paid_cents: int
    gross_cents: int | None = None
    discount_cents: int | None = None
    invoice_date: date | None = None
    # Prompt-payment interest in the paid amount and the rule set it was computed under ("texas@tx-2251").
    interest_cents: int = 0
    interest_rule: str | None = None


def ref_interest_segment(line: InvoiceRemittance, where: str = "remittance") -> str | None:
    """``REF*ZZ*INTEREST <amount>*<rule>\\``: the interest in the paid amount and the prompt-payment rule it was
    computed under (REF01 ``ZZ``, mutually defined; REF02 at most 30 characters, REF03 at most 80); None without
    interest."""
    if not line.interest_cents or not line.interest_rule:
        return None
    amount = _money(where, "interest_cents", line.interest_cents)
    return _trim(["REF", "ZZ", f"INTEREST {amount}", _element(where, "interest_rule", line.interest_rule, 80)])


def rmr_segment(line: InvoiceRemittance, where: str = "remittance") -> str:
    """``RMR*IV*<invoice>*PI*<paid>[*<gross>[*<discount>]]\\`` (RMR03 ``PI`` = pay item)."""
    return _rmr(where, line.invoice_number, line.paid_cents, line.gross_cents, line.discount_cents)


def _rmr(where: str, invoice_number: object, paid: object, gross: object, discount: object) -> str:
    parts = ["RMR", "IV", _element(where, "invoice_number", invoice_number, 30), "PI", _money(where, "paid_cents", paid)]
    parts.append("" if gross is None else _money(where, "gross_cents", gross))
    parts.append("" if discount is None else _money(where, "discount_cents", discount))
    return _trim(parts)


# Printable ASCII without the separators * \ ~ > ^, 1-30 characters, not all blank: the fast path of
# rmr_addenda (one call per payment in a payment run); anything else takes the checked path for its error.
_SIMPLE_INVOICE = re.compile(r"(?! *$)[ -)+-=?-\[\]_-}]{1,30}").fullmatch


def rmr_addenda(
    invoice_number: str, paid_cents: int, gross_cents: int | None = None, discount_cents: int | None = None
) -> Addenda05:
    """The single CCD+ Addenda05 for one invoice. Raises ``field_too_long`` past 80 characters."""
    if (
        gross_cents is None
        and discount_cents is None
        and type(paid_cents) is int
        and 0 <= paid_cents < 10**15
        and type(invoice_number) is str
        and _SIMPLE_INVOICE(invoice_number) is not None
    ):  # at most 7 + 30 + 4 + 16 + 1 = 58 characters: always fits
        return Addenda05(f"RMR*IV*{invoice_number.upper()}*PI*{paid_cents // 100}.{str(paid_cents % 100).zfill(2)}\\")
    text = _rmr("CCD+ remittance", invoice_number, paid_cents, gross_cents, discount_cents)
    if len(text) > ADDENDA_TEXT_LENGTH:
        raise NachaBuildError("field_too_long", "CCD+ remittance", "payment_related_information",
                              f"RMR segment is {len(text)} characters; one Addenda05 holds {ADDENDA_TEXT_LENGTH}")
    return Addenda05(text)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditAdjustment:
    """A credit memo the payer deducts from this payment: ``ADX*-<amount>*<reason>*CM*<memo number>\\``.

    In X12 004010 a negative ADX01 reduces the payment; ADX02 ``52`` (credit for overpayment) says why, ADX03
    ``CM`` that ADX04 is the vendor's credit memo number, which is what the vendor's receivables clerk looks up.
    """

    memo_number: str
    amount_cents: int
    reason_code: str = "52"


def adx_segment(adjustment: CreditAdjustment, where: str = "remittance") -> str:
    amount = _money(where, "amount_cents", adjustment.amount_cents)
    return _trim(["ADX", f"-{amount}", _element(where, "reason_code", adjustment.reason_code, 2), "CM",
                  _element(where, "memo_number", adjustment.memo_number, 30)])


def ccd_plus_addenda(line: InvoiceRemittance) -> Addenda05:
    """The CCD+ Addenda05 for one invoice: its RMR, and the REF naming the interest's rule when both fit."""
    rmr = rmr_addenda(line.invoice_number, line.paid_cents, line.gross_cents, line.discount_cents)
    ref = ref_interest_segment(line, "CCD+ remittance")
    if ref is not None and len(rmr.payment_related_information) + len(ref) <= ADDENDA_TEXT_LENGTH:
        return Addenda05(rmr.payment_related_information + ref)
    return rmr


@dataclass(frozen=True, slots=True)
class RmrRemittance:
    """An RMR segment read back; amounts in cents (None when absent or not an amount)."""

    qualifier: str
    reference: str
    action: str
    paid_cents: int | None
    gross_cents: int | None
    discount_cents: int | None


def parse_rmr(text: str) -> list[RmrRemittance]:
    """Every RMR segment in a payment-related-information text (CCD+ addenda or joined CTX addenda)."""
    out = []
    for segment in text.split("\\"):
        parts = segment.strip().split("*")
        if parts[0] != "RMR":
            continue
        parts += [""] * (7 - len(parts))
        out.append(
            RmrRemittance(
                qualifier=parts[1],
                reference=parts[2],
                action=parts[3],
                paid_cents=decimal_text_to_cents(parts[4]),
                gross_cents=decimal_text_to_cents(parts[5]),
                discount_cents=decimal_text_to_cents(parts[6]),
            )
        )
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Remittance820:
    """The content of a CTX payment's X12 820: who pays whom, for which invoices.

    ``sender_id`` / ``receiver_id`` are the ISA interchange ids (mutually agreed, 15 characters at most);
    ``interchange_control_number`` (1..999,999,999) must be unique per sender, so derive it from the
    payment id. ``payer_id`` goes to TRN03 (10 characters, typically ``1`` + EIN).
    """

    sender_id: str
    receiver_id: str
    interchange_control_number: int
    created: datetime
    payer_name: str
    payee_name: str
    payer_id: str
    trace_reference: str
    payment_date: date
    invoices: Sequence[InvoiceRemittance]
    payee_id: str | None = None
    production: bool = True
    # Credit memos deducted from the payment, one ADX each, before the RMRs of the invoices they reduce.
    adjustments: Sequence[CreditAdjustment] = ()


def ctx_segments(r: Remittance820) -> list[str]:
    """The 820 segments, each ending with ``\\``. Validates every element it writes."""
    w = "CTX 820 remittance"
    if type(r.interchange_control_number) is not int or not 1 <= r.interchange_control_number <= 999_999_999:
        raise NachaBuildError("invalid_format", w, "interchange_control_number", "must be an int 1..999,999,999")
    if not r.invoices:
        raise NachaBuildError("required", w, "invoices", "an 820 remittance needs at least one invoice")
    ctrl = r.interchange_control_number
    c = r.created
    remittance: list[str] = []
    for i, line in enumerate(r.invoices, 1):
        remittance.append(rmr_segment(line, f"{w}, invoice {i}"))
        ref = ref_interest_segment(line, f"{w}, invoice {i}")
        if ref is not None:  # REF precedes DTM in the RMR loop
            remittance.append(ref)
        if line.invoice_date is not None:
            remittance.append(f"DTM*003*{line.invoice_date:%Y%m%d}\\")
    adjustments = [adx_segment(a, f"{w}, credit {i}") for i, a in enumerate(r.adjustments, 1)]
    total = ctx_total_cents(r)
    if total < 0:
        raise NachaBuildError("invalid_format", w, "adjustments", "credits may not exceed the invoices they reduce")
    sender = _element(w, "sender_id", r.sender_id, 15)
    receiver = _element(w, "receiver_id", r.receiver_id, 15)
    body = [
        "ST*820*0001\\",
        _trim(["BPR", "C", cents_to_decimal_text(total), "C", "ACH", "CTX", "", "", "", "", "", "", "", "", "", "",
               f"{r.payment_date:%Y%m%d}"]),
        _trim(["TRN", "1", _element(w, "trace_reference", r.trace_reference, 30), _element(w, "payer_id", r.payer_id, 10)]),
        _trim(["N1", "PR", _element(w, "payer_name", r.payer_name, 60)]),
        _trim(["N1", "PE", _element(w, "payee_name", r.payee_name, 60)]
              + (["92", _element(w, "payee_id", r.payee_id, 30)] if r.payee_id else [])),
        "ENT*1\\",
    ]
    body.extend(adjustments)
    body.extend(remittance)
    body.append(f"SE*{len(body) + 1}*0001\\")
    isa = (
        f"ISA*00*{'':10}*00*{'':10}*ZZ*{sender.ljust(15)}*ZZ*{receiver.ljust(15)}*{c:%y%m%d}*{c:%H%M}*U*00401*"
        f"{ctrl:09d}*0*{'P' if r.production else 'T'}*>\\"
    )
    gs = f"GS*RA*{sender}*{receiver}*{c:%Y%m%d}*{c:%H%M}*{ctrl}*X*004010\\"
    return [isa, gs, *body, f"GE*1*{ctrl}\\", f"IEA*1*{ctrl:09d}\\"]


def ctx_addenda(r: Remittance820) -> tuple[Addenda05, ...]:
    """The 820 cut into 80-character Addenda05 texts (the last one blank-padded by the builder)."""
    text = "".join(ctx_segments(r))
    chunks = [text[i:i + ADDENDA_TEXT_LENGTH] for i in range(0, len(text), ADDENDA_TEXT_LENGTH)]
    if len(chunks) > MAX_CTX_ADDENDA:
        raise NachaBuildError("sec_addenda_limit", "CTX 820 remittance", "invoices",
                              f"needs {len(chunks)} addenda; a CTX entry carries at most {MAX_CTX_ADDENDA}")
    return tuple(Addenda05(chunk) for chunk in chunks)


def ctx_total_cents(r: Remittance820) -> int:
    """The BPR amount: the entry's amount must equal it (invoices paid, less the credits deducted)."""
    return sum(line.paid_cents for line in r.invoices) - sum(a.amount_cents for a in r.adjustments)


def join_addenda_text(infos: Sequence[str]) -> str:
    """Rejoin CTX addenda payment-related information (80 characters each) into the 820 text."""
    return "".join(infos).rstrip()


def split_segments(text: str) -> list[str]:
    """X12 text into segments (without terminators)."""
    return [s for s in text.split("\\") if s.strip()]


__all__ = [
    "ADDENDA_TEXT_LENGTH",
    "CreditAdjustment",
    "adx_segment",
    "MAX_CTX_ADDENDA",
    "InvoiceRemittance",
    "Remittance820",
    "RmrRemittance",
    "ccd_plus_addenda",
    "ctx_addenda",
    "ctx_segments",
    "ctx_total_cents",
    "join_addenda_text",
    "parse_rmr",
    "rmr_addenda",
    "ref_interest_segment",
    "rmr_segment",
    "split_segments",
]
