"""The normalized records reconciliation consumes: exact money, signed effects, inherited statuses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from moneyed import Money

from payments.reconciliation.statements import (
    CreditDebit,
    MalformedFile,
    PaymentOutcome,
    PaymentStatus,
    StatementLine,
    StatusReport,
    TransactionDetail,
    to_money,
)


def test_minor_units_become_exact_money_at_the_edge() -> None:
    assert to_money(745_000, "USD") == Money(Decimal("7450.00"), "USD")
    assert to_money(5_000, "JPY") == Money(Decimal("5000"), "JPY")
    assert to_money(1_234, "BHD") == Money(Decimal("1.234"), "BHD")


def test_a_debit_lowers_the_balance_and_a_batch_lists_its_payments() -> None:
    batch = StatementLine("stmt 1 entry 1", CreditDebit.DEBIT, 746_999, "USD", date(2026, 9, 23),
                          details=(TransactionDetail(end_to_end_id="a"), TransactionDetail(),
                                   TransactionDetail(end_to_end_id="b")))
    assert batch.signed_amount_minor == -746_999
    assert batch.end_to_end_ids == ("a", "b")
    single = StatementLine("line 5", CreditDebit.CREDIT, 10, "USD", None, end_to_end_id="c")
    assert (single.signed_amount_minor, single.end_to_end_ids) == (10, ("c",))


def test_a_payment_inherits_its_block_status_before_the_group_status() -> None:
    group = PaymentStatus(None, PaymentOutcome.ACCEPTED, iso_status="ACCP")
    block = PaymentStatus(None, PaymentOutcome.REJECTED, reason_code="AM04", original_payment_info_id="run_1")
    own = PaymentStatus("pay_1", PaymentOutcome.PENDING, iso_status="PDNG")
    report = StatusReport("m", None, "orig", group, payment_info_statuses=(block,), statuses=(own,))
    assert report.resolve("pay_1") == own
    assert report.resolve("pay_2", "run_1").status is PaymentOutcome.REJECTED
    assert report.resolve("pay_3", "run_2").status is PaymentOutcome.ACCEPTED
    assert StatusReport("m", None, None, None).resolve("pay_4") is None


def test_a_format_error_leads_with_where_and_which_field() -> None:
    error = MalformedFile("bai2", "'12A' is not a whole number", location="line 7 (transaction detail 16)",
                          field="amount")
    assert str(error) == "malformed_bai2: line 7 (transaction detail 16), field amount: '12A' is not a whole number"
    assert error.details == {"location": "line 7 (transaction detail 16)", "field": "amount", "format": "bai2"}
