"""The daily reconciliation report: what matched, what did not, what is overdue, what came back, and whether the
ledger's Cash and the bank's closing balance agree to the cent, with every reconciling item listed.

The cash proof, per bank account and currency: ``bank closing - ledger Cash of that account = sum of reconciling
items + unexplained``, where the account's ledger Cash is its own Cash account in every fund
(``payments.disbursements.treasury_accounts``) and each fund's share of a pooled account is shown beside it. The
items (``posted_not_banked`` and ``banked_not_posted`` say which side has moved):

* an **unmatched statement line** (still open or excepted): the bank moved money the books have not;
* a **return not yet credited**: the books took the money back (or never settled it) but the statement that
  shows the credit has not arrived, while the statement did show the payment leaving;
* a **payment settled in the books, not yet on a statement** (settled by the rail's status, not by a line).

The report ties out when ``unexplained`` is zero. Everything here is pure; the service gathers the inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from datetime import date
from typing import Any

from ledger.money import format_minor, major_amount
from payments.reconciliation.recon_records import BookPayment, RecordedReturn
from payments.reconciliation.recon_rows import MatchRecord, ReturnRecord, StatementRecord, StoredLine


# Amounts in major units with the currency's decimals (a number, so a spreadsheet sums it); minor units only as the
# extra last column.
TABLE_HEADER = ("section", "reference", "date", "amount", "currency", "detail", "amount_minor")


@dataclass(frozen=True, slots=True)
class ReconcilingItem:
    kind: str
    reference: str
    description: str
    amount_minor: int  # signed: how much it makes the bank's balance exceed the ledger's
    currency: str


@dataclass(frozen=True, slots=True)
class CashProof:
    currency: str
    ledger_cash_minor: int
    bank_closing_minor: int | None
    statements: tuple[dict[str, Any], ...]
    items: tuple[ReconcilingItem, ...]
    bank_account: str = ""  # the agency's bank account this proof is for (treasury_accounts)
    fund_shares: tuple[tuple[str, int], ...] = ()  # each fund's share of the account's ledger Cash

    @property
    def difference_minor(self) -> int | None:
        return None if self.bank_closing_minor is None else self.bank_closing_minor - self.ledger_cash_minor

    @property
    def explained_minor(self) -> int:
        return sum(i.amount_minor for i in self.items)

    @property
    def unexplained_minor(self) -> int | None:
        diff = self.difference_minor
        return None if diff is None else diff - self.explained_minor

    @property
    def ties_out(self) -> bool:
        return self.unexplained_minor == 0

    def to_dict(self) -> dict[str, Any]:
        return {"bank_account": self.bank_account, "currency": self.currency,
                "ledger_cash_minor": self.ledger_cash_minor, "fund_shares": [fund_share(f, m) for f, m in self.fund_shares],
                "bank_closing_minor": self.bank_closing_minor, "difference_minor": self.difference_minor,
                "explained_minor": self.explained_minor, "unexplained_minor": self.unexplained_minor,
                "ties_out": self.ties_out, "statements": list(self.statements),
                "reconciling_items": [asdict(i) for i in self.items]}


@dataclass(frozen=True)
class ReconReport:
    on: date
    unsettled_after_business_days: int
    matched: tuple[dict[str, Any], ...]
    unmatched_lines: tuple[dict[str, Any], ...]
    unsettled: tuple[dict[str, Any], ...]
    in_transit: dict[str, Any]
    returns: tuple[dict[str, Any], ...]
    changes: tuple[dict[str, Any], ...]
    open_exceptions: dict[str, Any]
    cash: tuple[CashProof, ...] = field(default=())

    @property
    def ties_out(self) -> bool:
        return bool(self.cash) and all(c.ties_out for c in self.cash)

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.on.isoformat(), "ties_out": self.ties_out,
                "unsettled_after_business_days": self.unsettled_after_business_days,
                "matched": list(self.matched), "unmatched_lines": list(self.unmatched_lines),
                "unsettled_payments": list(self.unsettled), "in_transit": self.in_transit,
                "returns": list(self.returns), "notifications_of_change": list(self.changes),
                "open_exceptions": self.open_exceptions, "cash": [c.to_dict() for c in self.cash]}

    def table(self) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        """One row per item of every section: section, reference, date, amount (major units, the currency's
        decimals), currency, detail, and the amount in minor units last.

        The adapters write it as CSV through ``adapters.exports.csv_export`` (formula injection neutralised there).
        """
        rows = [(r[0], r[1], r[2], None if r[3] is None else major_amount(r[3], r[4]), r[4], r[5], r[3])
                for r in self._rows()]
        return TABLE_HEADER, rows

    def _rows(self) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []
        for m in self.matched:
            rows.append(("matched", m["line_id"], m["booking_date"], m["amount_minor"], m["currency"],
                         f"{m['method']} {m['confidence_pct']}% {' '.join(m['payment_ids'])}"))
        for x in self.unmatched_lines:
            rows.append(("unmatched_line", x["line_id"], x["booking_date"], x["signed_amount_minor"], x["currency"],
                         x["description"]))
        for p in self.unsettled:
            rows.append(("unsettled_payment", p["payment_id"], p["sent_on"], p["amount_minor"], p["currency"],
                         f"{p['business_days']} business days"))
        for r in self.returns:
            rows.append(("return", r["payment_id"] or r["original_trace"], r["received_on"], r["amount_minor"],
                         r["currency"], f"{r['reason_code']} {r['reason']} ({r['state']})"))
        for c in self.cash:
            for i in c.items:
                rows.append(("reconciling_item", i.reference, self.on.isoformat(), i.amount_minor, i.currency,
                             f"{i.kind}: {i.description}"))
            amount = partial(money_text, currency=c.currency)
            for fund, share in c.fund_shares:
                rows.append(("fund_share", f"{c.bank_account} fund {fund}", self.on.isoformat(), share, c.currency,
                             fund_share(fund, share)["position"]))
            rows.append(("cash", f"{c.bank_account} {c.currency}".strip(), self.on.isoformat(), c.unexplained_minor,
                         c.currency,
                         f"ledger {amount(c.ledger_cash_minor)} bank {amount(c.bank_closing_minor)} difference "
                         f"{amount(c.difference_minor)} explained {amount(c.explained_minor)} ties_out {c.ties_out}"))
        return rows

    def describe(self) -> str:
        lines = [f"Reconciliation report for {self.on.isoformat()}",
                 f"  matched lines today: {len(self.matched)}", f"  unmatched statement lines: "
                 f"{len(self.unmatched_lines)}", f"  sent but unsettled beyond {self.unsettled_after_business_days} "
                 f"business days: {len(self.unsettled)}", f"  in transit (within the window): "
                 f"{self.in_transit['count']} ({money_text(self.in_transit['amount_minor'])})",
                 f"  returns received today: {len(self.returns)}",
                 f"  open exceptions: {sum(self.open_exceptions.values())} {self.open_exceptions or ''}"]
        for c in self.cash:
            cur = c.currency
            lines.append(f"  Cash {c.bank_account} {cur}: ledger {money_text(c.ledger_cash_minor, cur)}, bank "
                         f"{money_text(c.bank_closing_minor, cur)}, difference {money_text(c.difference_minor, cur)}")
            lines += [f"    fund {f}: {money_text(m, cur)} ({fund_share(f, m)['position']})" for f, m in c.fund_shares
                      if len(c.fund_shares) > 1]
            lines += [f"    {i.kind:<24} {i.reference:<32} {money_text(i.amount_minor, cur):>16}  {i.description}"
                      for i in c.items]
            lines.append(f"    unexplained {money_text(c.unexplained_minor, cur)}: "
                         f"{'TIES OUT' if c.ties_out else 'DOES NOT TIE OUT'}")
        if not self.cash:
            lines.append("  no ledger cash or bank statement to compare yet")
        return "\n".join(lines)


def fund_share(fund: str, minor: int) -> dict[str, Any]:
    """A fund's share of a pooled bank account: positive, the pool owes it that cash (due from the pool); negative,
    it has spent more than it put in and owes the other funds (due to the pool)."""
    return {"fund": fund, "share_minor": minor,
            "position": "due from the pool" if minor >= 0 else "due to the pool (owes the other funds)"}


def money_text(minor: int | None, currency: str = "USD") -> str:
    """'-1,234.50': major units, grouped, with the currency's decimals (none for JPY, three for BHD) and a sign."""
    if minor is None:
        return "n/a"
    return format_minor(minor, currency).removesuffix(f" {currency}")


def build_report(on: date, *, business_days: int, matches: Sequence[MatchRecord], open_lines: Iterable[StoredLine],
                 unsettled: Sequence[tuple[BookPayment, int]], in_transit: Sequence[BookPayment],
                 returns_today: Sequence[ReturnRecord], awaiting_credit: Sequence[tuple[RecordedReturn, bool]],
                 settled_elsewhere: Sequence[BookPayment], changes: Sequence[dict[str, Any]], open_exceptions: dict[str, Any],
                 ledger_cash: Mapping[tuple[str, str], Mapping[str, int]], statements: Sequence[StatementRecord],
                 bank_of_statement: Callable[[str], str] = lambda _a: "",
                 bank_of_payment: Callable[[str], str] = lambda _p: "") -> ReconReport:
    """Assemble the report; ``awaiting_credit`` pairs each return with whether, on ``on``, the bank has shown the
    payment leave but not yet come back while the ledger's Cash already agrees it is back (a reconciling item).

    ``ledger_cash`` is each (bank account, currency)'s Cash by fund; ``bank_of_statement`` names the bank account a
    statement (or line) is for by the account id it gives, ``bank_of_payment`` the one a payment left from."""
    by_line: dict[str, dict[str, Any]] = {}
    for m in matches:
        row = by_line.setdefault(m.line_id, {"line_id": m.line_id, "booking_date": m.booking_date.isoformat(),
                                             "method": m.method, "confidence_pct": m.confidence_pct, "role": m.role,
                                             "amount_minor": 0, "currency": m.currency, "payment_ids": [],
                                             "matched_by": m.matched_by, "reason": m.reason})
        row["amount_minor"] += m.amount_minor
        row["payment_ids"].append(m.payment_id)
    lines = [x for x in open_lines if x.booking_date <= on]
    items: dict[tuple[str, str], list[ReconcilingItem]] = {}
    for x in lines:  # banked, not posted: the bank moved money the books have not
        items.setdefault((bank_of_statement(x.account_id), x.currency), []).append(ReconcilingItem(
            "unmatched_line", x.line_id, f"{x.booking_date.isoformat()} {x.direction} {x.bank_reference or ''} "
            f"{x.text or ''}".strip(), x.signed_amount_minor, x.currency))
    for r, due in awaiting_credit:  # posted, not banked: the books have the money back, the bank not yet
        if due:
            items.setdefault((bank_of_payment(r.payment_id), r.currency), []).append(ReconcilingItem(
                "return_not_yet_credited", r.payment_id, f"return of {r.payment_id} (original trace "
                f"{r.original_trace}) recorded {r.received_on.isoformat()}, credit not yet on a statement",
                -r.amount_minor, r.currency))
    for p in settled_elsewhere:
        if p.status == "settled" and p.sent_on <= on:
            items.setdefault((bank_of_payment(p.payment_id), p.currency), []).append(ReconcilingItem(
                "settled_not_on_statement", p.payment_id, "settled in the books (rail status), not yet on a "
                "statement", p.amount_minor, p.currency))
    closing: dict[tuple[str, str], int] = {}
    shown: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for s in statements:
        key = (bank_of_statement(s.account_id), s.currency)
        closing[key] = closing.get(key, 0) + (s.closing_balance_minor or 0)
        shown.setdefault(key, []).append({"account_id": s.account_id, "statement_date": (
            s.statement_date.isoformat() if s.statement_date else None), "closing_balance_minor": s.closing_balance_minor})
    keys = sorted(set(ledger_cash) | set(closing))
    cash = tuple(CashProof(currency, sum(ledger_cash.get((bank, currency), {}).values()), closing.get((bank, currency)),
                           tuple(shown.get((bank, currency), ())), tuple(items.get((bank, currency), ())), bank,
                           tuple(sorted(ledger_cash.get((bank, currency), {}).items())))
                 for bank, currency in keys)
    return ReconReport(
        on=on, unsettled_after_business_days=business_days, matched=tuple(by_line.values()),
        unmatched_lines=tuple({"line_id": x.line_id, "booking_date": x.booking_date.isoformat(),
                               "direction": x.direction, "signed_amount_minor": x.signed_amount_minor,
                               "currency": x.currency, "state": x.state, "bank_reference": x.bank_reference,
                               "description": (x.text or x.kind or "")[:120]} for x in lines),
        unsettled=tuple({"payment_id": p.payment_id, "sent_on": p.sent_on.isoformat(), "amount_minor": p.amount_minor,
                         "currency": p.currency, "trace_number": p.trace_number, "vendor_id": p.vendor_id,
                         "business_days": days} for p, days in unsettled),
        in_transit={"count": len(in_transit), "amount_minor": sum(p.amount_minor for p in in_transit)},
        returns=tuple({"return_id": r.id, "payment_id": r.payment_id, "original_trace": r.original_trace,
                       "reason_code": r.reason_code, "reason": r.reason, "vendor_reason": r.vendor_reason,
                       "amount_minor": r.amount_minor, "currency": r.currency, "received_on": r.received_on.isoformat(),
                       "state": r.state, "settled_before": r.settled_before, "account_level": r.account_level,
                       "bank_action": r.bank_action, "entry_id": r.entry_id} for r in returns_today),
        changes=tuple(changes), open_exceptions=dict(open_exceptions), cash=cash)
