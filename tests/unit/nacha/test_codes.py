"""Code tables: return and change codes per the Nacha lists, with plain-English meanings."""

from __future__ import annotations

from adapters.formats.nacha import CHANGE_REASONS, RETURN_CODE_FOR, RETURN_REASONS, RULES, TransactionCode, routing_check_digit
from adapters.formats.nacha.change_codes import CorrectedData, format_corrected_data, parse_corrected_data
from adapters.formats.nacha.return_codes import return_variant
from adapters.formats.nacha.transaction_codes import CREDIT_CODES, DEBIT_CODES, describe


def test_return_codes_are_the_nacha_table():
    expected = (
        [f"R{n:02d}" for n in range(1, 48)] + ["R50", "R51", "R52", "R53", "R61", "R62"]
        + [f"R{n}" for n in range(67, 78)] + [f"R{n}" for n in range(80, 86)]
    )
    assert sorted(RETURN_REASONS) == sorted(expected)
    assert "R96" not in RETURN_REASONS and "R90" not in RETURN_REASONS
    assert RETURN_REASONS["R03"] == "No account/unable to locate account"
    assert RETURN_REASONS["R01"] == "Insufficient funds"
    assert all(meaning and meaning[0].isupper() for meaning in RETURN_REASONS.values())
    assert (return_variant("R03"), return_variant("R68"), return_variant("R72")) == ("return", "dishonored", "contested")


def test_change_codes_leave_out_the_retired_c10_to_c12():
    expected = [f"C0{n}" for n in range(1, 10)] + ["C13", "C14"] + [f"C6{n}" for n in range(1, 10)]
    assert sorted(CHANGE_REASONS) == sorted(expected)
    assert {"C10", "C11", "C12"}.isdisjoint(CHANGE_REASONS)


def test_corrected_data_layouts_round_trip():
    cases = {
        "C01": CorrectedData(account_number="12345678901234567"),
        "C02": CorrectedData(routing_number="231380104"),
        "C03": CorrectedData(routing_number="231380104", account_number="7788"),
        "C04": CorrectedData(receiver_name="ACME SUPPLY COMPANY"),
        "C05": CorrectedData(transaction_code=32),
        "C06": CorrectedData(account_number="7788", transaction_code=37),
        "C07": CorrectedData(routing_number="231380104", account_number="7788", transaction_code=22),
        "C09": CorrectedData(identification="EMP00417"),
    }
    for code, data in cases.items():
        text = format_corrected_data(code, data)
        assert len(text) == 29
        assert parse_corrected_data(code, text) == data, code
    assert format_corrected_data("C03", cases["C03"]) == "231380104   7788".ljust(29)


def test_transaction_code_directions():
    assert {22, 23, 24, 32, 33, 21, 31} <= CREDIT_CODES and {27, 28, 29, 37, 38, 26, 36, 55} <= DEBIT_CODES
    assert RETURN_CODE_FOR[22] == 21 and RETURN_CODE_FOR[37] == 36 and RETURN_CODE_FOR[23] == 21
    assert describe(22) == "checking credit" and describe(43) == "general ledger prenote credit"
    assert TransactionCode(33).name == "SAVINGS_PRENOTE_CREDIT"


def test_routing_check_digit_example_from_the_format_notes():
    assert routing_check_digit("23138010") == 4


def test_every_rule_has_a_class_and_a_description():
    assert all(cls in ("error", "lenient", "notice") and text for cls, text in RULES.values())
    assert all(code == code.lower() and " " not in code for code in RULES)
