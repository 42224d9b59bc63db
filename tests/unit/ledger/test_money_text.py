"""Amounts written for people and for remittance texts come from the integer minor units exactly, in the
currency's own number of decimals: never through a float."""

import pytest

from ledger.money import format_minor, minor_text


@pytest.mark.parametrize(("minor", "currency", "plain", "shown"), [
    (123450, "USD", "1234.50", "1,234.50 USD"),
    (0, "USD", "0.00", "0.00 USD"),
    (-5, "EUR", "-0.05", "-0.05 EUR"),
    (1234, "JPY", "1234", "1,234 JPY"),
    (1, "KWD", "0.001", "0.001 KWD"),
    # 90 trillion dollars and one cent: a float (x / 100) no longer holds the cent (it prints ...00.02).
    (9_000_000_000_000_001, "USD", "90000000000000.01", "90,000,000,000,000.01 USD"),
])
def test_amounts_are_written_exactly(minor, currency, plain, shown):
    assert minor_text(minor, currency) == plain
    assert format_minor(minor, currency) == shown
