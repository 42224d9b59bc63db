"""Payment terms, read the way they are printed on invoices."""

from datetime import date
from decimal import Decimal

import pytest

from payments.ap.terms import PaymentTerms, TermsNotUnderstood, parse_terms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2/10 net 30", PaymentTerms(net_days=30, discount_pct=Decimal(2), discount_days=10)),
        ("1.5/15 net 30", PaymentTerms(net_days=30, discount_pct=Decimal("1.5"), discount_days=15)),
        ("net 45", PaymentTerms(net_days=45)),
        ("Net 45 days", PaymentTerms(net_days=45)),
        ("2/10, n/30", PaymentTerms(net_days=30, discount_pct=Decimal(2), discount_days=10)),
        ("2% 10 Net 30", PaymentTerms(net_days=30, discount_pct=Decimal(2), discount_days=10)),
        ("due on receipt", PaymentTerms(net_days=0)),
        ("Due  upon receipt", PaymentTerms(net_days=0)),
    ],
)
def test_terms_are_read_from_the_usual_spellings(text, expected):
    assert parse_terms(text) == expected


@pytest.mark.parametrize("text", ["", "30 days", "2/40 net 30", "100/10 net 30", "0/10 net 30", "net thirty"])
def test_terms_we_cannot_read_are_refused_not_guessed(text):
    with pytest.raises(TermsNotUnderstood) as err:
        parse_terms(text)
    assert err.value.code == "terms_not_understood"


def test_2_10_net_30_on_an_invoice_dated_1_march():
    terms = parse_terms("2/10 net 30")
    invoice_date = date(2026, 3, 1)
    assert terms.discount_date(invoice_date) == date(2026, 3, 11)
    assert terms.net_due_date(invoice_date) == date(2026, 3, 31)
    assert terms.discount_minor(1_234_567) == 24_691  # 2% of $12,345.67 = $246.9134 -> $246.91
    assert terms.discount_if_paid_on(1_234_567, invoice_date, date(2026, 3, 11)) == 24_691
    assert terms.discount_if_paid_on(1_234_567, invoice_date, date(2026, 3, 12)) == 0


def test_discount_rounds_half_up_once():
    assert parse_terms("1.5/15 net 30").discount_minor(100) == 2  # 1.5 cents -> 2
    assert parse_terms("net 30").discount_minor(100_000) == 0


def test_annualized_discount_rate_uses_the_360_day_year_of_5_cfr_1315_17():
    # 2/10 net 30: 2/98 x 360/20 = 0.367346...
    rate = parse_terms("2/10 net 30").annualized_discount_rate()
    assert rate.quantize(Decimal("0.0001")) == Decimal("0.3673")
    assert parse_terms("net 30").annualized_discount_rate() == 0
    assert parse_terms("2/30 net 30").annualized_discount_rate() == Decimal("Infinity")


def test_describe_round_trips():
    for text in ["2/10 net 30", "1.5/15 net 30", "net 45", "due on receipt"]:
        assert parse_terms(text).describe() == text
