"""The returns importer: NACHA Addenda99/98 in, normalized notices out; one worked example per R-code family."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.formats.nacha import CorrectedData
from adapters.statements.nacha_returns import read_nacha_notices
from payments.reconciliation.bank_notices import ReturnFamily
from payments.reconciliation.statements import FormatError
from tests.corpus import corpus_dir

from .nacha_files import noc_file, returns_file, trace


@pytest.mark.parametrize(("code", "family", "account_level"), [
    ("R01", ReturnFamily.FUNDS, False),
    ("R02", ReturnFamily.ACCOUNT, True),
    ("R03", ReturnFamily.ACCOUNT, True),
    ("R04", ReturnFamily.ACCOUNT, True),
    ("R16", ReturnFamily.ACCOUNT, True),
    ("R20", ReturnFamily.ACCOUNT, True),
    ("R07", ReturnFamily.AUTHORIZATION, False),
    ("R29", ReturnFamily.AUTHORIZATION, False),
    ("R08", ReturnFamily.STOPPED, False),
    ("R23", ReturnFamily.REFUSED, False),
    ("R24", ReturnFamily.DUPLICATE, False),
    ("R06", ReturnFamily.BANK_REQUEST, False),
    ("R17", ReturnFamily.FORMAT, False),
])
def test_each_return_family_reads_with_its_original_trace_amount_and_plain_reason(code, family, account_level):
    [notice] = read_nacha_notices(returns_file([(7, 125000, code)])).returns
    assert (notice.reason_code, notice.original_trace, notice.amount_minor, notice.currency) == (
        code, trace(7), 125000, "USD")
    assert (notice.family, notice.account_level) == (family, account_level)
    assert notice.original_rdfi == "09100001"
    assert notice.reason and notice.vendor_reason and "R0" not in notice.vendor_reason
    assert notice.account_mask == "****9921"  # never the whole number
    assert notice.effective_date == date(2026, 9, 24)


def test_a_deceased_receiver_return_carries_the_date_of_death():
    [notice] = read_nacha_notices(returns_file([(3, 45610, "R15")], date_of_death=date(2026, 9, 1))).returns
    assert (notice.family, notice.date_of_death) == (ReturnFamily.DECEASED, date(2026, 9, 1))


def test_a_closed_account_tells_the_vendor_in_plain_words_to_send_new_details():
    [notice] = read_nacha_notices(returns_file([(1, 100, "R02")])).returns
    assert notice.vendor_reason.startswith("Your bank told us the account we paid is closed")


def test_notifications_of_change_carry_the_corrected_details_split_by_code():
    data = noc_file([(1, "C01", CorrectedData(account_number="4400019922")),
                     (2, "C07", CorrectedData(routing_number="231380104", account_number="9000124",
                                              transaction_code=32))])
    c01, c07 = read_nacha_notices(data).changes
    assert (c01.change_code, c01.original_trace, c01.corrected.account_number) == ("C01", trace(1), "4400019922")
    assert c01.corrected.masked()["account_mask"] == "****9922"
    assert (c07.corrected.routing_number, c07.corrected.account_number, c07.corrected.account_type) == (
        "231380104", "9000124", "savings")
    assert "4400019922" not in repr(c01)  # the clear number never shows in a repr (logs)


def test_a_corrupted_returns_file_is_refused_whole_naming_the_line_and_field():
    data = bytearray(returns_file([(1, 100, "R02"), (2, 200, "R03")]))
    lines = data.split(b"\n")
    lines[3] = lines[3][:3] + b"R99" + lines[3][6:]  # the first Addenda99's reason code
    with pytest.raises(FormatError) as caught:
        read_nacha_notices(b"\n".join(lines))
    assert caught.value.code == "malformed_nacha"
    assert caught.value.location == "line 4" and caught.value.field == "return_reason_code"


def test_a_forward_payment_file_is_not_a_returns_file():
    with pytest.raises(FormatError) as caught:
        read_nacha_notices((corpus_dir("nacha") / "ppd-credit-single.ach").read_bytes())
    assert caught.value.code == "no_returns_or_changes"


@pytest.mark.parametrize(("name", "verdict"), [
    ("return-contested-dishonored-r72.ach", "valid"),
    ("noc-cor-c01-account-number.ach", "valid"),
    ("return-iat-r01.ach", "lenient"),
    ("noc-iat-cor-c01.ach", "lenient"),
    ("return-web-r01-batch-only.ach", "invalid"),
    ("invalid-return-iat-code-r96.ach", "invalid"),
    ("invalid-noc-iat-code-c78.ach", "invalid"),
])
def test_corpus_returns_and_nocs_get_their_readme_verdict(name, verdict):
    data = (corpus_dir("nacha") / name).read_bytes()
    if verdict == "invalid":
        with pytest.raises(FormatError):
            read_nacha_notices(data)
        return
    notices = read_nacha_notices(data)
    assert len(notices.returns) + len(notices.changes) == 1
    if verdict == "lenient":  # accepted, and the findings say what was bent
        assert notices.findings and all(f.severity == "warning" for f in notices.findings)


def test_the_contested_dishonored_return_in_the_corpus_is_read_with_its_fields():
    [notice] = read_nacha_notices((corpus_dir("nacha") / "return-contested-dishonored-r72.ach").read_bytes()).returns
    assert (notice.reason_code, notice.variant, notice.original_trace, notice.amount_minor) == (
        "R72", "contested", "123456780000069", 1560)
    assert notice.family is ReturnFamily.CONTESTED
