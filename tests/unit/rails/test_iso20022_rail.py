"""The ISO 20022 rail: a pain.001 valid against the XSD, EndToEndId = payment id, pain.002 AC04 fails it."""

import datetime as dt

import xmlschema

from adapters.rails.iso20022.rail import NO_PRENOTE, Iso20022Rail
from payments.disbursements.rails import RailOutcome
from tests.corpus import corpus_dir
from tests.unit.rails.test_nacha_rail import EXAMPLES

CFG = {"debtor_name": "CITY OF RIVERTON", "debtor_account": "000123456789", "debtor_routing": "231380104"}


def pain002(original_msg_id: str, rejected_e2e: str, accepted_e2e: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>
<GrpHdr><MsgId>STS-1</MsgId><CreDtTm>2026-11-03T09:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>{original_msg_id}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
<GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>
<OrgnlPmtInfAndSts><OrgnlPmtInfId>X</OrgnlPmtInfId>
<TxInfAndSts><OrgnlEndToEndId>{rejected_e2e}</OrgnlEndToEndId><TxSts>RJCT</TxSts>
<StsRsnInf><Rsn><Cd>AC04</Cd></Rsn></StsRsnInf></TxInfAndSts>
<TxInfAndSts><OrgnlEndToEndId>{accepted_e2e}</OrgnlEndToEndId><TxSts>ACSP</TxSts></TxInfAndSts>
</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>""".encode()


def test_pain001_validates_against_the_xsd_for_both_versions(tmp_path):
    batch = EXAMPLES["ctx_six_invoices"]
    for version, xsd in (("pain.001.001.09", "pain.001.001.09.xsd"), ("pain.001.001.03", "pain.001.001.03.xsd")):
        rail = Iso20022Rail({**CFG, "version": version}, tmp_path / version)
        receipt = rail.submit(batch)
        data = (tmp_path / version / receipt.reference).read_bytes()
        xmlschema.XMLSchema(str(corpus_dir("xsd") / xsd)).validate(data.decode())
        assert f"<EndToEndId>{batch.payments[0].external_id}</EndToEndId>".encode() in data
        assert rail.submit(batch).duplicate


def test_a_pain002_rejection_ac04_is_reported_as_rejected_and_a_prenote_is_refused(tmp_path):
    rail = Iso20022Rail(CFG, tmp_path)
    mixed = EXAMPLES["ccd_plain_and_prenote"]
    paving, prenote = mixed.payments
    receipt = rail.submit(mixed)
    (tmp_path / "status").mkdir()
    (tmp_path / "status" / "sts1.xml").write_bytes(pain002(mixed.submission_id, paving.external_id, "nobody"))
    verdicts = {s.payment_id: s for s in rail.status(receipt)}
    assert verdicts[paving.payment_id].outcome is RailOutcome.REJECTED
    assert verdicts[paving.payment_id].reason_code == "AC04"
    assert verdicts[prenote.payment_id].reason_code == NO_PRENOTE
    assert rail.lookup(mixed.submission_id) is not None
    assert rail.lookup("sub_01JD8Z3K4M5N6P7Q8R9S0TZZZZ") is None
    assert dt.date(2026, 11, 3) == mixed.effective_date
