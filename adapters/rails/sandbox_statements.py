"""The sandbox bank's statements: BAI2 and camt.053.001.02, written here, small and with every control total.

BAI2 (FORMATS.md §4): 01 file header, 02 group, 03 account with opening/closing ledger (010/015) and the debit
and credit summaries (400/100 with item counts), 16 details, 49 account trailer (sum of every 03 and 16
amount, records from 03 through 49), 98 group trailer (sum of 49 totals, accounts, records from 02 through
98), 99 file trailer (sum of 98 totals, groups, all records). Amounts are cents without a decimal point.

camt.053 (FORMATS.md §3.3): one statement with OPBD/CLBD balances, a TxsSummry, and one Ntry per settlement
batch (DBIT, ``NtryDtls/Btch`` plus one ``TxDtls`` per entry whose ``Refs`` carry the trace and the entry's
identification) or per return (CRDT with ``RtrInf/Rsn/Cd``).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

CAMT_NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


@dataclass(frozen=True, slots=True)
class StatementDetail:
    """One entry of an item: an ACH entry's trace, amount and identification."""

    trace: str
    amount_minor: int
    identification: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class StatementItem:
    """One line on the statement: a settlement debit for a batch, or a return credit."""

    credit: bool
    amount_minor: int
    type_code: str  # BAI2 type: 466 ACH settlement debit, 257 individual ACH return item (credit)
    bank_reference: str
    customer_reference: str
    text: str
    booked_on: dt.date
    details: tuple[StatementDetail, ...] = ()
    return_code: str | None = None
    batch_id: str | None = None


@dataclass(frozen=True, slots=True)
class Statement:
    account_number: str
    currency: str
    as_of: dt.date
    opening_minor: int
    items: tuple[StatementItem, ...] = field(default=())
    bank_id: str = "091000019"
    customer_id: str = "RIVERTON"

    @property
    def debits_minor(self) -> int:
        return sum(i.amount_minor for i in self.items if not i.credit)

    @property
    def credits_minor(self) -> int:
        return sum(i.amount_minor for i in self.items if i.credit)

    @property
    def closing_minor(self) -> int:
        return self.opening_minor - self.debits_minor + self.credits_minor


def _clean(text: str) -> str:
    # "," separates BAI2 fields and "/" ends a record: neither may appear inside one.
    return text.replace(",", " ").replace("/", " ")


def bai2_text(s: Statement, *, created: dt.datetime, file_id: str = "1") -> str:
    d = f"{s.as_of:%y%m%d}"
    debits = [i for i in s.items if not i.credit]
    credits = [i for i in s.items if i.credit]
    account = ["03", s.account_number, s.currency,
               "010", str(s.opening_minor), "", "",
               "015", str(s.closing_minor), "", "",
               "100", str(s.credits_minor), str(len(credits)), "",
               "400", str(s.debits_minor), str(len(debits)), ""]
    details = [f"16,{i.type_code},{i.amount_minor},0,{_clean(i.bank_reference)},{_clean(i.customer_reference)},"
               f"{_clean(i.text)}/" for i in s.items]
    account_total = s.opening_minor + s.closing_minor + s.credits_minor + s.debits_minor + sum(
        i.amount_minor for i in s.items)
    account_records = 1 + len(details) + 1
    group_records = account_records + 2
    lines = [f"01,{s.bank_id},{s.customer_id},{created:%y%m%d},{created:%H%M},{file_id},,,2/",
             f"02,{s.customer_id},{s.bank_id},1,{d},2400,{s.currency},2/",
             ",".join(account) + "/", *details,
             f"49,{account_total},{account_records}/",
             f"98,{account_total},1,{group_records}/",
             f"99,{account_total},1,{group_records + 2}/"]
    return "\n".join(lines) + "\n"


def _amount(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


def camt053_xml(s: Statement, *, created: dt.datetime, message_id: str) -> bytes:
    root = ET.Element("Document", {"xmlns": CAMT_NS})
    stmt_root = ET.SubElement(root, "BkToCstmrStmt")

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
        el = ET.SubElement(parent, tag, attrib)
        if text is not None:
            el.text = text
        return el

    stamp = created.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    hdr = sub(stmt_root, "GrpHdr")
    sub(hdr, "MsgId", message_id)
    sub(hdr, "CreDtTm", stamp)
    st = sub(stmt_root, "Stmt")
    sub(st, "Id", f"{s.account_number}-{s.as_of:%Y%m%d}")
    sub(st, "CreDtTm", stamp)
    acct = sub(st, "Acct")
    sub(sub(sub(acct, "Id"), "Othr"), "Id", s.account_number)
    sub(acct, "Ccy", s.currency)
    for code, minor in (("OPBD", s.opening_minor), ("CLBD", s.closing_minor)):
        bal = sub(st, "Bal")
        sub(sub(sub(bal, "Tp"), "CdOrPrtry"), "Cd", code)
        sub(bal, "Amt", _amount(abs(minor)), Ccy=s.currency)
        sub(bal, "CdtDbtInd", "CRDT" if minor >= 0 else "DBIT")
        sub(sub(bal, "Dt"), "Dt", s.as_of.isoformat())
    summary = sub(st, "TxsSummry")
    total = sub(summary, "TtlNtries")
    sub(total, "NbOfNtries", str(len(s.items)))
    sub(total, "Sum", _amount(s.credits_minor + s.debits_minor))
    net = s.credits_minor - s.debits_minor
    sub(total, "TtlNetNtryAmt", _amount(abs(net)))
    sub(total, "CdtDbtInd", "CRDT" if net >= 0 else "DBIT")
    for tag, chosen in (("TtlCdtNtries", [i for i in s.items if i.credit]),
                        ("TtlDbtNtries", [i for i in s.items if not i.credit])):
        part = sub(summary, tag)
        sub(part, "NbOfNtries", str(len(chosen)))
        sub(part, "Sum", _amount(sum(i.amount_minor for i in chosen)))
    for item in s.items:
        ntry = sub(st, "Ntry")
        sub(ntry, "NtryRef", item.bank_reference[:35])
        sub(ntry, "Amt", _amount(item.amount_minor), Ccy=s.currency)
        sub(ntry, "CdtDbtInd", "CRDT" if item.credit else "DBIT")
        if item.return_code:
            sub(ntry, "RvslInd", "false")
        sub(ntry, "Sts", "BOOK")
        sub(sub(ntry, "BookgDt"), "Dt", item.booked_on.isoformat())
        sub(sub(ntry, "ValDt"), "Dt", item.booked_on.isoformat())
        sub(ntry, "AcctSvcrRef", item.bank_reference[:35])
        bktx = sub(sub(ntry, "BkTxCd"), "Domn")
        sub(bktx, "Cd", "PMNT")
        fmly = sub(bktx, "Fmly")
        sub(fmly, "Cd", "ICDT" if not item.credit else "RCDT")
        sub(fmly, "SubFmlyCd", "ACDT" if not item.credit else "ARET")
        dtls = sub(ntry, "NtryDtls")
        if item.batch_id:
            btch = sub(dtls, "Btch")
            sub(btch, "PmtInfId", item.batch_id[:35])
            sub(btch, "NbOfTxs", str(len(item.details)))
            sub(btch, "TtlAmt", _amount(item.amount_minor), Ccy=s.currency)
            sub(btch, "CdtDbtInd", "CRDT" if item.credit else "DBIT")
        for d in item.details:
            tx = sub(dtls, "TxDtls")
            refs = sub(tx, "Refs")
            sub(refs, "AcctSvcrRef", d.trace)
            sub(refs, "EndToEndId", d.identification or "NOTPROVIDED")
            sub(refs, "TxId", d.trace)
            sub(sub(tx, "AmtDtls"), "TxAmt").append(_amt(d.amount_minor, s.currency))
            if item.return_code:
                sub(sub(sub(tx, "RtrInf"), "Rsn"), "Prtry", item.return_code)
        sub(ntry, "AddtlNtryInf", item.text[:500])
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode").encode() + b"\n"


def _amt(minor: int, currency: str) -> ET.Element:
    el = ET.Element("Amt", {"Ccy": currency})
    el.text = _amount(minor)
    return el
