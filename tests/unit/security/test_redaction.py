"""No log line carries an account number, a token or a credential, however it reached the record."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.keys.redaction import RedactingFilter, install, redact_text, redact_value
from adapters.keys.tokens import issue_token

ACCOUNT = "000123456789"
TOKEN = "dsb_" + "Q" * 20 + "-_" + "z" * 21


@pytest.fixture
def log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s %(vendor)s"))
    install([handler])
    logger = logging.getLogger("test.redaction")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)

    def emit(*args, **kwargs) -> str:
        kwargs.setdefault("extra", {"vendor": "-"})
        logger.info(*args, **kwargs)
        return stream.getvalue()

    yield emit
    logger.handlers.clear()


def test_an_account_number_in_the_message_is_masked_to_its_last_four(log):
    line = log(f"paying vendor at account {ACCOUNT}")
    assert ACCOUNT not in line and "****6789" in line


def test_an_account_number_in_the_args_is_masked(log):
    line = log("paying vendor at account %s", ACCOUNT)
    assert ACCOUNT not in line and "****6789" in line


def test_an_integer_account_number_formatted_with_percent_d_is_masked(log):
    line = log("account %d", 123456789012)
    assert "123456789012" not in line and "****9012" in line


def test_a_token_in_the_message_and_in_the_args_is_masked(log):
    assert TOKEN not in log(f"login with {TOKEN}")
    assert TOKEN not in log("login with %s", TOKEN)
    assert TOKEN not in log("login with %(token)s", {"token": TOKEN})
    assert "dsb_[REDACTED]" in log("x")


def test_a_freshly_issued_token_never_survives(log):
    secret = issue_token(token_id="tok_1", user_id="usr_1", now=datetime.now(UTC)).secret
    assert secret not in log("issued %s", secret)


def test_a_bearer_header_and_key_value_secrets_are_masked(log):
    line = log("headers %s", {"Authorization": "Bearer abc.def.ghi", "X-Api-Key": "k3y"})
    assert "abc.def.ghi" not in line and "k3y" not in line
    assert "hunter2" not in log("password=hunter2 user=ann")
    assert "s3ss10n" not in log('{"session_id": "s3ss10n"}')


def test_extra_fields_are_redacted_for_structured_formatters(log):
    line = log("bank change recorded", extra={"vendor": {"account": ACCOUNT, "acct_int": 987654321012}})
    assert ACCOUNT not in line and "987654321012" not in line


def test_a_traceback_carrying_an_account_number_is_redacted(log):
    try:
        raise ValueError(f"bad account {ACCOUNT}")
    except ValueError:
        line = log("failed", exc_info=True)
    assert "Traceback" in line and ACCOUNT not in line


def test_a_broken_format_string_does_not_leak_its_args(log, capsys):
    line = log("two placeholders %s %s", ACCOUNT)
    assert ACCOUNT not in line
    assert ACCOUNT not in capsys.readouterr().err


def test_ordinary_numbers_dates_and_hashes_are_left_alone():
    text = "run 42 paid 1200000 cents on 2025-03-03T09:00:00Z, head " + "9f86d081" * 8
    assert redact_text(text) == text


def test_hyphenated_account_numbers_are_masked():
    assert redact_text("account 0001-2345-6789") == "account ****6789"


def test_the_filter_never_drops_a_record_and_is_idempotent():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "acct %s", (ACCOUNT,), None)
    assert RedactingFilter().filter(record) and RedactingFilter().filter(record)
    assert record.getMessage() == "acct ****6789"


def test_install_attaches_once_per_handler():
    handler = logging.StreamHandler(io.StringIO())
    install([handler])
    install([handler])
    assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1


def test_redact_value_keeps_shape_and_small_numbers():
    assert redact_value({"n": 3, "ok": True, "items": [ACCOUNT, 1.5]}) == {"n": 3, "ok": True,
                                                                         "items": ["****6789", 1.5]}


@given(digits=st.text(alphabet="0123456789", min_size=9, max_size=17),
       before=st.sampled_from(["", "acct ", "account=", "to ", "(", "acct-", "ACH"]),
       after=st.sampled_from(["", " today", ")", ".", ",", " x"]))
def test_any_nine_to_seventeen_digit_number_is_masked_wherever_it_sits(digits, before, after):
    out = redact_text(before + digits + after)
    assert digits not in out
    assert out == before + "****" + digits[-4:] + after
