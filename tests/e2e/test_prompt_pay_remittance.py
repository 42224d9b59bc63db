"""The rule the interest was computed under reaches the vendor (issue 18): in the NACHA addenda (a REF after the
invoice's RMR, in CTX's 820 and in a CCD+ addenda where both fit), in pain.001's structured remittance (the interest
as an adjustment to what was due, with the rule and the statute in words), in the portal's remittance advice, and
in the journal's ``interest_owed`` entry (references and data). SQLite and PostgreSQL.

The chairs' story: received Oct. 1, 2026, invoiced Oct. 6, paid by the run of Thursday Dec. 10 dated Friday Dec. 11.
"""

import datetime as dt
from xml.etree import ElementTree

from tests.e2e.prompt_pay_world import FLORIDA, TEXAS, agency  # noqa: F401

DEC_10 = dt.datetime(2026, 12, 10, 15)


def _late(city, *invoices: tuple[str, int], category: str = "furniture") -> str:  # noqa: ANN001
    """Acme's invoices (number, chairs), each on its own order, approved: Acme's id."""
    acme = city.vendor()
    for n, (number, chairs) in enumerate(invoices, start=1):
        po = city.po(acme, category=category, chairs=chairs, number=f"PO-2027-000{n}")
        city.approve(city.invoice(acme, po, number=number, chairs=chairs)["id"])
    return acme


def _addenda(city) -> list[str]:  # noqa: ANN001
    (nacha,) = city.outbox("nacha", "*.ach")
    return [line[3:83] for line in nacha.read_text().splitlines() if line.startswith("705")]


def test_a_ccd_plus_addenda_names_the_rule_after_the_rmr_when_both_fit(agency, clock):
    city = agency(TEXAS)
    _late(city, ("INV-1001", 10))
    clock.set(DEC_10)
    (payment,) = city.pay()["payments"]
    assert (payment["sec_code"], payment["amount_minor"]) == ("CCD", 120_917)
    # $9.17 of Texas interest (36 days at 7.75%): 70 characters, one addenda.
    assert [a.rstrip() for a in _addenda(city)] == ["RMR*IV*INV-1001*PI*1209.17*1200.00\\REF*ZZ*INTEREST 9.17*TEXAS@TX-2251\\"]


def test_a_ctx_820_carries_a_ref_per_invoice_with_interest_and_a_ccd_plus_that_cannot_fit_it_keeps_the_rmr(agency,
                                                                                                          clock):
    city = agency(FLORIDA)
    _late(city, ("INV-1001", 10), ("INV-1002", 9), category="construction")
    clock.set(DEC_10)
    (payment,) = city.pay()["payments"]
    assert payment["sec_code"] == "CTX"
    x12 = "".join(_addenda(city))
    # Florida construction, 2% a month: $29.60 on $1,200 and 2% x (1 + 7/30) x $1,080 = $26.64 on nine chairs.
    rule = "FLORIDA_LOCAL@FS-218-2021.07/CONSTRUCTION"
    assert (f"RMR*IV*INV-1001*PI*1229.60*1200.00\\REF*ZZ*INTEREST 29.60*{rule}\\DTM*003*20261005\\" in x12
            and f"RMR*IV*INV-1002*PI*1106.64*1080.00\\REF*ZZ*INTEREST 26.64*{rule}\\" in x12)
    se = next(s for s in x12.split("\\") if s.startswith("SE*"))
    assert int(se.split("*")[1]) == x12[x12.index("ST*820"):].count("\\") - 2  # ST..SE, REFs counted


def test_pain001_structured_remittance_adds_the_interest_to_what_was_due_with_the_rule_in_words(agency, clock):
    city = agency(TEXAS)
    _late(city, ("INV-1001", 10))
    clock.set(DEC_10)
    (payment,) = city.pay(rail="iso20022")["payments"]
    # The bank is asked to execute the credit transfer on the run's own day, Dec. 10: 35 days at 7.75% = $8.92.
    assert (payment["effective_date"], payment["amount_minor"]) == ("2026-12-10", 120_892)
    (xml,) = city.outbox("iso20022", "*.xml")
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
    tx = ElementTree.parse(xml).find(".//p:CdtTrfTxInf", ns)
    assert tx.find("p:Amt/p:InstdAmt", ns).text == "1208.92"
    doc = tx.find("p:RmtInf/p:Strd", ns)
    amounts = doc.find("p:RfrdDocAmt", ns)
    assert [(e.tag.split("}")[1], e.text) for e in amounts if e.text and e.text.strip()] == [
        ("DuePyblAmt", "1200.00"), ("RmtdAmt", "1208.92")]
    adjustment = amounts.find("p:AdjstmntAmtAndRsn", ns)
    said = "Interest 8.92 USD under texas@tx-2251 (Texas Government Code chapter 2251)"
    assert [adjustment.find(f"p:{t}", ns).text for t in ("Amt", "CdtDbtInd", "Rsn", "AddtlInf")] == [
        "8.92", "CRDT", "INTR", said]
    assert doc.find("p:AddtlRmtInf", ns).text == said
    assert tx.find("p:RmtInf/p:Ustrd", ns).text == "INV-1001 1208.92"  # the unstructured line, as before


def test_the_journal_and_the_portal_say_which_rule_the_interest_was_paid_under(agency, clock):
    city = agency(TEXAS)
    acme = _late(city, ("INV-1001", 10), ("INV-1002", 9))
    clock.set(DEC_10)
    (payment,) = city.pay()["payments"]
    (entry,) = city.interest_posted()
    assert entry.draft.references["prompt_pay_rules"] == "texas@tx-2251"
    by_invoice = {i["invoice_id"]: i for i in payment["remittance"]}
    # Nine chairs, $1,080: 36/365 x 7.75% x $1,080 = $8.26.
    assert sorted((i["interest_minor"], i["rule"]) for i in entry.draft.data["interest"]) == [
        (826, "texas@tx-2251"), (917, "texas@tx-2251")]
    assert {i["invoice_id"] for i in entry.draft.data["interest"]} == set(by_invoice)
    vendor = {"Authorization": f"Bearer test:vendor:usr_acme:{acme}"}
    advice = city.api.get(f"/v1/portal/payments/{payment['id']}", headers=vendor).json()
    assert {(r["invoice_number"], r["interest_law"]) for r in advice["remittance"]} == {
        ("INV-1001", "Includes 9.17 USD of late-payment interest under the Texas Prompt Payment Act (Texas Government "
                     "Code chapter 2251), computed by rule texas@tx-2251."),
        ("INV-1002", "Includes 8.26 USD of late-payment interest under the Texas Prompt Payment Act (Texas Government "
                     "Code chapter 2251), computed by rule texas@tx-2251.")}
    assert city.container.ledger.verify().ok
