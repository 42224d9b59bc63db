"""Returns and notifications of change to our payments: the pure decisions.

A return is matched by the ORIGINAL trace number it names (the trace we wrote), then checked against the
payment's amount and receiving bank: a return that names our trace with another amount or bank is not
trusted, it goes to a person. Dishonored and contested returns (R61-R77) are disputes between banks and never
post by themselves. A return already recorded for the payment (the same return trace) is a replay: nothing
happens twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from payments.reconciliation.bank_notices import ChangeNotice, ReturnNotice
from payments.reconciliation.recon_records import BookPayment, ExceptionKind, ReconException

_SENT_OR_SETTLED = frozenset({"sent", "settled"})


@dataclass(frozen=True, slots=True)
class ReturnDecision:
    """``post`` (return the payment), ``adopt`` (the payment flow already returned it), ``replay`` (already
    recorded) or ``exception``."""

    notice: ReturnNotice
    action: str
    payment: BookPayment | None = None
    exception: ReconException | None = None

    @property
    def settled(self) -> bool:
        """Whether the money had left the account (statement seen) before it came back: picks Cash vs in-transit."""
        return bool(self.payment and (self.payment.status == "settled" or self.payment.settled))


@dataclass(frozen=True, slots=True)
class ChangeDecision:
    """``propose`` (a bank-account change for the payment's vendor), ``replay`` or ``exception``."""

    notice: ChangeNotice
    action: str
    payment: BookPayment | None = None
    exception: ReconException | None = None


def decide_returns(notices: Iterable[ReturnNotice], by_trace: Mapping[str, BookPayment], *,
                   recorded: Mapping[str, str]) -> list[ReturnDecision]:
    """``by_trace``: our payments keyed by trace; ``recorded``: payment id -> return trace already recorded."""
    out: list[ReturnDecision] = []
    seen: dict[str, str] = dict(recorded)
    for n in notices:
        payment = by_trace.get(n.original_trace)
        if payment is None:
            out.append(_exception(n, ExceptionKind.RETURN_UNMATCHED,
                                  f"{n.reason_code} return names original trace {n.original_trace}, which is none "
                                  "of our payments"))
            continue
        if n.variant != "return":
            out.append(_exception(n, ExceptionKind.RETURN_DISPUTE,
                                  f"{n.variant} return {n.reason_code} ({n.reason}) for {payment.payment_id}: the "
                                  "banks dispute an earlier return; nothing was posted", payment))
            continue
        earlier = seen.get(payment.payment_id)
        if earlier is None and payment.status == "returned" and payment.return_code in (None, n.reason_code) \
                and not _mismatch(n, payment, returned_ok=True):
            # The payment flow already applied this return from the rail's status (posting the same entry):
            # reconciliation records it and does what only it does (the invoice hold, the account block).
            seen[payment.payment_id] = n.return_trace
            out.append(ReturnDecision(n, "adopt", payment))
            continue
        if earlier is not None or payment.status == "returned":
            if earlier == n.return_trace:
                out.append(ReturnDecision(n, "replay", payment))
            else:
                out.append(_exception(n, ExceptionKind.DUPLICATE_RETURN,
                                      f"{payment.payment_id} was already returned; this second {n.reason_code} "
                                      f"return (trace {n.return_trace}) was not posted", payment))
            continue
        problem = _mismatch(n, payment)
        if problem:
            out.append(_exception(n, ExceptionKind.RETURN_MISMATCH, problem, payment))
            continue
        seen[payment.payment_id] = n.return_trace
        out.append(ReturnDecision(n, "post", payment))
    return out


def decide_changes(notices: Iterable[ChangeNotice], by_trace: Mapping[str, BookPayment], *,
                   recorded: set[tuple[str, str]]) -> list[ChangeDecision]:
    """``recorded``: (original trace, change code) pairs already turned into a proposal (a replayed file)."""
    out: list[ChangeDecision] = []
    for n in notices:
        payment = by_trace.get(n.original_trace)
        if (n.original_trace, n.change_code) in recorded:
            out.append(ChangeDecision(n, "replay", payment))
        elif n.refused:
            out.append(ChangeDecision(n, "exception", payment, _noc_exception(
                n, ExceptionKind.NOC_REFUSED, f"refused notification of change {n.change_code} ({n.reason})", payment)))
        elif payment is None:
            out.append(ChangeDecision(n, "exception", None, _noc_exception(
                n, ExceptionKind.NOC_UNMATCHED, f"{n.change_code} names original trace {n.original_trace}, which is "
                "none of our payments", None)))
        elif not (n.corrected.changes_bank_account or n.corrected.receiver_name or n.corrected.identification):
            out.append(ChangeDecision(n, "exception", payment, _noc_exception(
                n, ExceptionKind.NOC_NOT_APPLIED, f"{n.change_code} ({n.reason}) carries no corrected data a bank "
                "account change can use", payment)))
        else:
            out.append(ChangeDecision(n, "propose", payment))
    return out


def _mismatch(n: ReturnNotice, p: BookPayment, *, returned_ok: bool = False) -> str:
    if n.amount_minor != p.amount_minor or n.currency != p.currency:
        return (f"{n.reason_code} return for {p.payment_id} is {n.amount_minor} {n.currency}; the payment was "
                f"{p.amount_minor} {p.currency}")
    if n.original_rdfi and p.rdfi and n.original_rdfi[:8] != p.rdfi[:8]:
        return (f"{n.reason_code} return for {p.payment_id} names receiving bank {n.original_rdfi}; the payment "
                f"went to {p.rdfi[:8]}")
    if p.status not in _SENT_OR_SETTLED and not (returned_ok and p.status == "returned"):
        return f"{p.payment_id} is {p.status}; only a sent or settled payment can be returned"
    return ""


def _exception(n: ReturnNotice, kind: ExceptionKind, detail: str, payment: BookPayment | None = None
               ) -> ReturnDecision:
    exc = ReconException(kind, detail, n.amount_minor, n.currency,
                         payment_ids=(payment.payment_id,) if payment else (),
                         notice_ref=f"return {n.original_trace} {n.reason_code} {n.return_trace}")
    return ReturnDecision(n, "exception", payment, exc)


def _noc_exception(n: ChangeNotice, kind: ExceptionKind, detail: str, payment: BookPayment | None
                   ) -> ReconException:
    return ReconException(kind, detail, 0, payment.currency if payment else "USD",
                          payment_ids=(payment.payment_id,) if payment else (),
                          notice_ref=f"noc {n.original_trace} {n.change_code} {n.notice_trace}")
