"""The streaming BAI2 reader reads a large, well-formed file exactly as the package and the tolerant reader do,
and hands every other file to them, so errors and findings keep their line and field.

Worked on the City of Springfield's statements: the reader is forced on (``stream_from_records=0``) or off
(a threshold no file reaches) and the two results are compared whole, apart from the ``parser`` that says which
path read the file.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from adapters.statements.bai2_reader import LIBRARY, STREAM, TOLERANT, read_bai2
from payments.reconciliation.statements import CreditDebit, FindingCode, FormatError, MalformedFile, TransactionKind
from tests.corpus import corpus_dir

DATA = Path(__file__).resolve().parents[2] / "data" / "statements"
NEVER = 10**9


def both(data: bytes) -> tuple[object, object]:
    """(streamed, reference): each an ImportedFile or the FormatError it raised."""
    out = []
    for threshold in (0, NEVER):
        try:
            out.append(read_bai2(data, "digest", stream_from_records=threshold))
        except FormatError as exc:
            out.append(exc)
    return out[0], out[1]


def same(streamed: object, reference: object) -> bool:
    if isinstance(reference, Exception):
        return type(streamed) is type(reference) and str(streamed) == str(reference)
    return dataclasses.replace(streamed, parser="") == dataclasses.replace(reference, parser="")


def day(*, groups: int = 1, newline: str = "\n", pad: str = "") -> str:
    """A well-formed file: USD and a EUR override, interim and final groups, every plain funds type."""
    details = [
        "16,466,746999,Z,BR1,run_2026-09-23_ccd,ACH SETTLEMENT/",   # batch settlement debit
        "16,455,120000,0,BR2,231380100000001,ACH DEBIT/",           # one ACH item, immediate funds
        "16,475,125000,1,,10045/",                                  # check paid, no bank reference, no text
        "16,195,5000000,2,FW1,,FEDWIRE IN, STATE OF ILLINOIS, GRANT/",  # commas inside the text
        "16,168,1500,,BR3,231380100000009,RETURN R02/",             # an ACH return credit, blank funds type
        "16,558,700,Z,BR4/",                                        # an ACH reversal debit, references cut short
        "16,469,2500,Z,SVC1,,SERVICE CHARGE",                       # no closing slash
    ]
    amounts = sum(int(d.split(",")[2]) for d in details)
    records = ["01,021000021,CITYSPRING,260923,0600,FILE42,80,1,2/"]
    file_total = 0
    for g in range(groups):
        modifier = "2" if g == 0 else "3"
        group = [f"02,CITYSPRING,021000021,1,26092{3 + g},2400,{'' if g else 'USD'},{modifier}/"]
        group_total = 0
        for number, currency in (("4412345678", ""), ("4412345999", "EUR")):
            summary = f"03,{number},{currency},010,25000000,,,015,24000000,2,,100,,,,400,1000000,,/"
            lines = [summary, *details]
            total = 25_000_000 + 24_000_000 + 1_000_000 + amounts
            lines.append(f"49,{total},{len(lines) + 1}/")
            group += lines
            group_total += total
        group.append(f"98,{group_total},2,{len(group) + 1}/")
        records += group
        file_total += group_total
    records.append(f"99,{file_total},{groups},{len(records) + 1}/")
    return newline.join(r + pad for r in records) + newline


@pytest.mark.parametrize("shape", [dict(), dict(groups=3), dict(newline="\r\n"), dict(pad="   ")])
def test_a_well_formed_day_reads_the_same_streamed_as_through_the_package(shape: dict) -> None:
    streamed, reference = both(day(**shape).encode())
    assert streamed.parser == STREAM and reference.parser in (LIBRARY, TOLERANT)
    assert same(streamed, reference)
    assert streamed.findings == ()


def test_streamed_lines_carry_direction_kind_references_and_text() -> None:
    streamed, _ = both(day().encode())
    operating, euro = streamed.statements
    assert (operating.currency, euro.currency, operating.interim) == ("USD", "EUR", False)  # modifier 2: final
    settlement, item, check, wire, returned, reversal, fee = operating.lines
    assert (settlement.line_ref, settlement.kind, settlement.direction) == ("line 4", TransactionKind.ACH_SETTLEMENT,
                                                                            CreditDebit.DEBIT)
    assert (item.bank_reference, item.customer_reference) == ("BR2", "231380100000001")
    assert (check.bank_reference, check.text) == (None, None)
    assert wire.text == "FEDWIRE IN, STATE OF ILLINOIS, GRANT"
    assert returned.is_return and returned.direction is CreditDebit.CREDIT
    assert reversal.is_reversal and reversal.customer_reference is None
    assert fee.text == "SERVICE CHARGE"


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.bai2")))
def test_every_golden_file_reads_the_same_whichever_reader_is_tried_first(name: str) -> None:
    streamed, reference = both((DATA / name).read_bytes())
    assert same(streamed, reference)


def test_every_corpus_file_reads_the_same_whichever_reader_is_tried_first() -> None:
    folder = corpus_dir("bai2")
    for path in sorted(folder.glob("*.bai2")):
        streamed, reference = both(path.read_bytes())
        assert same(streamed, reference), path.name


@pytest.mark.parametrize("change, why", [
    (("16,475,125000,1,", "16,475,125001,1,"), "a control total that does not add up"),
    (("400,1000000", "400,1000001"), "a balance that does not add up"),
    (("16,469,2500,Z,SVC1,,SERVICE CHARGE", "16,469,2500,Z,SVC1,,SERVICE\n88,CHARGE"), "an 88 continuation"),
    (("16,475,125000,1,", "16,475,125000,S,1,2,3,"), "availability fields"),
    (("16,475,125000,1,", "16,010,125000,1,"), "a status code in a detail"),
    (("16,475,125000,1,", "16,475,12500O,1,"), "an amount that is not a number"),
    (("/\n02,CITYSPRING,021000021,1,260924", "/ 02,CITYSPRING,021000021,1,260924"), "two records on one line"),
    (("01,021000021,CITYSPRING,260923,0600,FILE42,80,1,2/", "01,021000021,CITYSPRING,260923,0600,FILE42,80,1,/"),
     "a blank version"),
])
def test_anything_unusual_goes_to_the_full_readers_with_its_finding_or_error(change: tuple[str, str], why: str) -> None:
    text = day(groups=2).replace(*change)
    streamed, reference = both(text.encode())
    assert isinstance(streamed, Exception) or streamed.parser != STREAM, why
    assert same(streamed, reference), why


def test_a_corrupted_line_deep_in_a_large_file_is_refused_naming_it() -> None:
    items = [f"16,455,{100 + k},Z,B{k},2313801{k:08d},ACH/" for k in range(6_000)]
    items[4_321] = "16,455,1O1,Z,BX,231380100004321,ACH/"
    total = sum(int(i.split(",")[2]) for i in items if i.split(",")[2].isdigit())
    records = ["01,021000021,CITYSPRING,260923,0600,BIG,80,1,2/", "02,CITYSPRING,021000021,1,260923,2400,USD,2/",
               "03,4412345678,,/", *items, f"49,{total},{len(items) + 2}/", f"98,{total},1,{len(items) + 4}/",
               f"99,{total},1,{len(items) + 6}/"]
    with pytest.raises(MalformedFile) as refused:
        read_bai2("\n".join(records).encode(), "digest")
    assert (refused.value.location, refused.value.field) == ("line 4325 (transaction detail 16)", "amount")
    records[4_324] = "16,455,101,Z,BX,231380100004321,ACH/"
    imported = read_bai2("\n".join(records).encode(), "digest")
    (finding,) = imported.findings  # the total above left the altered amount out
    assert finding.code is FindingCode.CONTROL_TOTAL_MISMATCH and finding.location.startswith("line 6004")
