"""pain.002 reader: what the bank said about each payment we sent, keyed by our end-to-end id."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import xmlschema

from adapters.formats.iso20022.pain002 import read_pain002
from payments.reconciliation.statements import FormatError, MalformedFile, PaymentOutcome, UnsupportedFormat, XmlEntitiesForbidden

DATA = Path(__file__).resolve().parents[2] / "data" / "iso20022"
SCHEMAS = Path(__file__).resolve().parents[3] / "adapters" / "rails" / "iso20022" / "schemas"
REDWOOD, ACME, THIRD = (f"pay_01J9Z8K2M3N4P5Q6R7S8T9V0W{n}" for n in (1, 2, 3))


def read(name: str):
    return read_pain002((DATA / name).read_bytes())


@pytest.mark.parametrize("name", ["pain002-v03-ac04-rejected.xml", "pain002-v03-group-rejected.xml"])
def test_golden_v03_reports_are_valid_against_the_official_xsd(name: str) -> None:
    xmlschema.XMLSchema(str(SCHEMAS / "pain.002.001.03.xsd")).validate(str(DATA / name))


def test_a_closed_account_ac04_rejects_that_payment_only() -> None:
    report = read("pain002-v03-ac04-rejected.xml")
    redwood = report.resolve(REDWOOD)
    assert redwood is not None
    assert redwood.status is PaymentOutcome.REJECTED
    assert (redwood.reason_code, redwood.reason_text) == ("AC04", "closed account")
    assert redwood.additional_info == "RDFI reports account closed"
    assert redwood.original_payment_info_id == "run_2026-09-23_ccd"
    assert redwood.original_instruction_id == "instr-1"
    assert redwood.location.endswith("OrgnlPmtInfAndSts[1]/TxInfAndSts[1]")
    assert [(s.end_to_end_id, s.status, s.iso_status) for s in report.statuses] == [
        (REDWOOD, PaymentOutcome.REJECTED, "RJCT"),
        (ACME, PaymentOutcome.ACCEPTED, "ACSC"),
        (THIRD, PaymentOutcome.PENDING, "PDNG"),
    ]
    # PART at group and block level means "see each payment": it decides nothing by itself.
    assert report.group_status is None and report.payment_info_statuses == ()
    assert report.resolve("pay_not_in_report") is None
    assert report.original_message_id == "msg_01J9Z8K2M3N4P5Q6R7S8T9V0XX"
    assert report.format_version == "pain.002.001.03"
    assert report.created_at == datetime(2026, 9, 23, 7, 15)


def test_a_group_rejection_rejects_every_payment_listed_or_not() -> None:
    report = read("pain002-v03-group-rejected.xml")
    listed = report.resolve(REDWOOD)
    assert listed is not None and listed.status is PaymentOutcome.REJECTED
    assert (listed.reason_code, listed.iso_status) == ("FF01", "RJCT")
    unlisted = report.resolve(ACME, "run_2026-09-23_ccd")
    assert unlisted is not None and unlisted.status is PaymentOutcome.REJECTED
    assert unlisted.end_to_end_id == ACME and unlisted.reason_text == "invalid file format"
    assert report.created_at == datetime(2026, 9, 23, 7, 20, tzinfo=timezone.utc)


def test_a_later_version_with_a_prefix_and_a_rejected_payment_block() -> None:
    report = read("pain002-v10-prefixed-block-rejected.xml")
    assert report.format_version == "pain.002.001.10"
    payroll = report.resolve("pay_payroll_7", "run_payroll")
    assert payroll is not None and payroll.status is PaymentOutcome.REJECTED
    assert payroll.reason_code == "AM04" and payroll.reason_text == "insufficient funds"
    vendor = report.resolve("pay_vendor_1")
    assert vendor is not None and vendor.status is PaymentOutcome.ACCEPTED
    assert vendor.iso_status == "ACCP" and vendor.reason_code == "BANK-OK-17"  # its own reason, inherited status
    assert report.created_at is not None and report.created_at.utcoffset() == timedelta(hours=-4)


def test_an_unknown_status_code_is_pending_and_keeps_the_code() -> None:
    xml = (DATA / "pain002-v03-ac04-rejected.xml").read_bytes().replace(b"<TxSts>ACSC", b"<TxSts>XXXX")
    acme = read_pain002(xml).resolve(ACME)
    assert acme is not None and acme.status is PaymentOutcome.PENDING and acme.iso_status == "XXXX"


def test_a_truncated_report_is_rejected_with_its_position() -> None:
    xml = (DATA / "pain002-v03-ac04-rejected.xml").read_bytes()[:900]
    with pytest.raises(MalformedFile) as refused:
        read_pain002(xml)
    assert refused.value.code == "malformed_pain002"
    assert refused.value.location and refused.value.location.startswith("line ")


def test_a_report_without_its_original_group_is_rejected_naming_the_element() -> None:
    xml = b"""<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>
      <GrpHdr><MsgId>X</MsgId><CreDtTm>2026-09-23T07:15:00</CreDtTm></GrpHdr></CstmrPmtStsRpt></Document>"""
    with pytest.raises(MalformedFile) as refused:
        read_pain002(xml)
    assert refused.value.location == "/Document/CstmrPmtStsRpt" and refused.value.field == "OrgnlGrpInfAndSts"


def test_a_bad_creation_time_is_rejected_naming_the_element() -> None:
    xml = (DATA / "pain002-v03-ac04-rejected.xml").read_bytes().replace(b"2026-09-23T07:15:00", b"yesterday")
    with pytest.raises(MalformedFile, match="GrpHdr/CreDtTm"):
        read_pain002(xml)


def test_a_statement_is_not_a_status_report() -> None:
    with pytest.raises(UnsupportedFormat, match="BkToCstmrStmt"):
        read_pain002(b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt/></Document>')


def test_billion_laughs_is_refused_before_any_expansion() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Document><CstmrPmtStsRpt><GrpHdr><MsgId>&lol3;</MsgId></GrpHdr></CstmrPmtStsRpt></Document>"""
    with pytest.raises(XmlEntitiesForbidden) as refused:
        read_pain002(bomb)
    assert refused.value.code == "xml_entities_forbidden"
    assert isinstance(refused.value, FormatError)
