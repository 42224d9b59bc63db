"""Returns and NOCs against our payments: matched by the original trace, checked by amount and receiving bank."""

from __future__ import annotations

from datetime import date

from payments.reconciliation.bank_notices import ChangeNotice, CorrectedBankData, ReturnNotice
from payments.reconciliation.recon_records import BookPayment, ExceptionKind
from payments.reconciliation.recon_returns import decide_changes, decide_returns

TRACE = "231380100000007"


def pay(status: str = "sent", *, amount: int = 125000, rdfi: str | None = "09100001",
        return_code: str | None = None) -> BookPayment:
    return BookPayment("pay_a", amount, "USD", date(2026, 9, 22), status, TRACE, rdfi=rdfi, vendor_id="ven_a",
                       account_id="bac_a", return_code=return_code)


def ret(code: str = "R02", *, amount: int = 125000, rdfi: str = "09100001", trace: str = TRACE,
        variant: str = "return", return_trace: str = "091000019000001") -> ReturnNotice:
    return ReturnNotice(code, "", trace, amount, "USD", rdfi, return_trace, "line 4", variant=variant)


def test_a_return_of_a_sent_payment_posts_and_knows_it_had_not_settled():
    [d] = decide_returns([ret()], {TRACE: pay()}, recorded={})
    assert (d.action, d.settled) == ("post", False)
    [d] = decide_returns([ret()], {TRACE: pay("settled")}, recorded={})
    assert (d.action, d.settled) == ("post", True)


def test_a_return_naming_our_trace_with_another_amount_or_bank_is_not_trusted():
    [d] = decide_returns([ret(amount=125001)], {TRACE: pay()}, recorded={})
    assert (d.action, d.exception.kind) == ("exception", ExceptionKind.RETURN_MISMATCH)
    [d] = decide_returns([ret(rdfi="02100002")], {TRACE: pay()}, recorded={})
    assert d.exception.kind is ExceptionKind.RETURN_MISMATCH and "receiving bank" in d.exception.detail


def test_an_unknown_trace_a_replay_a_second_return_and_a_dispute():
    [d] = decide_returns([ret(trace="231380109999999")], {TRACE: pay()}, recorded={})
    assert d.exception.kind is ExceptionKind.RETURN_UNMATCHED
    [d] = decide_returns([ret()], {TRACE: pay("returned")}, recorded={"pay_a": "091000019000001"})
    assert d.action == "replay"
    [d] = decide_returns([ret(return_trace="091000019000002")], {TRACE: pay("returned")},
                         recorded={"pay_a": "091000019000001"})
    assert d.exception.kind is ExceptionKind.DUPLICATE_RETURN
    [d] = decide_returns([ret("R72", variant="contested")], {TRACE: pay()}, recorded={})
    assert d.exception.kind is ExceptionKind.RETURN_DISPUTE


def test_a_return_the_payment_flow_already_applied_from_the_rail_is_adopted_not_duplicated():
    [d] = decide_returns([ret("R03")], {TRACE: pay("returned", return_code="R03")}, recorded={})
    assert d.action == "adopt"


def test_two_returns_of_one_payment_in_one_file_post_once():
    first, second = decide_returns([ret(), ret(return_trace="091000019000009")], {TRACE: pay()}, recorded={})
    assert (first.action, second.exception.kind) == ("post", ExceptionKind.DUPLICATE_RETURN)


def noc(code: str = "C01", *, trace: str = TRACE, refused: bool = False, **corrected: str) -> ChangeNotice:
    return ChangeNotice(code, "", trace, "09100001", CorrectedBankData(**corrected), "091000019000003", "line 6",
                        refused=refused)


def test_notifications_of_change_become_proposals_or_go_to_a_person():
    [d] = decide_changes([noc(account_number="4400019922")], {TRACE: pay()}, recorded=set())
    assert d.action == "propose"
    [d] = decide_changes([noc("C61", refused=True)], {TRACE: pay()}, recorded=set())
    assert d.exception.kind is ExceptionKind.NOC_REFUSED
    [d] = decide_changes([noc(trace="231380109999999", account_number="1")], {TRACE: pay()}, recorded=set())
    assert d.exception.kind is ExceptionKind.NOC_UNMATCHED
    [d] = decide_changes([noc("C13")], {TRACE: pay()}, recorded=set())
    assert d.exception.kind is ExceptionKind.NOC_NOT_APPLIED
    [d] = decide_changes([noc(account_number="4400019922")], {TRACE: pay()}, recorded={(TRACE, "C01")})
    assert d.action == "replay"
