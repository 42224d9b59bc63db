"""Small camt.053.001.08 statements for the hostile-input tests: one account, the entries you name, anything broken
on request (a missing group header, an absurd booking date, a 5 MiB message id, formula text in the remittance)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


@dataclass(frozen=True)
class Entry:
    amount: str  # major units, e.g. "15.00"
    credit: bool = True
    booked: str | None = "2026-09-23"
    remittance: str = "INV 1"
    status: str | None = "BOOK"
    indicator: bool = True  # False leaves out CdtDbtInd
    with_amount: bool = True


def camt053(entries: list[Entry], *, msg_id: str = "STMT-HOSTILE-1", on: str = "2026-09-23",
            group_header: bool = True, account: str | None = "4412345678", opening: str = "1000.00") -> bytes:
    """A statement whose closing balance is the opening plus the booked entries (so only what you broke is wrong)."""
    closing = Decimal(opening) + sum((Decimal(e.amount) if e.credit else -Decimal(e.amount)) for e in entries
                                     if e.status == "BOOK")
    ntries = "".join(_entry(i, e) for i, e in enumerate(entries, 1))
    header = (f"<GrpHdr><MsgId>{escape(msg_id)}</MsgId><CreDtTm>{on}T05:30:00-05:00</CreDtTm></GrpHdr>"
              if group_header else "")
    acct = (f"<Acct><Id><Othr><Id>{account}</Id></Othr></Id><Ccy>USD</Ccy></Acct>" if account is not None else "")
    return (f'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="{NS}"><BkToCstmrStmt>{header}'
            f"<Stmt><Id>{account or 'X'}-{on}</Id><CreDtTm>{on}T05:30:00-05:00</CreDtTm>{acct}"
            f"{_balance('OPBD', Decimal(opening), on)}{_balance('CLBD', closing, on)}{ntries}</Stmt>"
            f"</BkToCstmrStmt></Document>").encode()


def _balance(code: str, amount: Decimal, on: str) -> str:
    return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"USD\">{abs(amount):.2f}</Amt>"
            f"<CdtDbtInd>{'CRDT' if amount >= 0 else 'DBIT'}</CdtDbtInd><Dt><Dt>{on}</Dt></Dt></Bal>")


def _entry(n: int, e: Entry) -> str:
    amount = f'<Amt Ccy="USD">{e.amount}</Amt>' if e.with_amount else ""
    indicator = f"<CdtDbtInd>{'CRDT' if e.credit else 'DBIT'}</CdtDbtInd>" if e.indicator else ""
    status = f"<Sts><Cd>{e.status}</Cd></Sts>" if e.status else ""
    booked = f"<BookgDt><Dt>{e.booked}</Dt></BookgDt>" if e.booked else ""
    return (f"<Ntry><NtryRef>{n}</NtryRef>{amount}{indicator}{status}{booked}<AcctSvcrRef>REF{n}</AcctSvcrRef>"
            f"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>OTHR</SubFmlyCd></Fmly></Domn></BkTxCd>"
            f"<NtryDtls><TxDtls><RmtInf><Ustrd>{escape(e.remittance)}</Ustrd></RmtInf></TxDtls></NtryDtls>"
            f"<AddtlNtryInf>{escape(e.remittance)}</AddtlNtryInf></Ntry>")
