"""What reconciliation posts to the ledger (DESIGN.md §2), as entry drafts.

* ``payment_settled``: Disbursements in transit -> Cash. One entry per import, booking date, fund and currency,
  carrying the count of lines and payments and a SHA-256 over the sorted ``payment_id:amount`` pairs; each
  match row names its entry. A per-payment entry would be the journal's slowest path (one signature each) for
  a million-payment statement while adding nothing the match rows do not already tie together.
* ``payment_returned``: Cash (settled) or Disbursements in transit (not yet settled) -> Vouchers payable, one per
  return, built by ``payments.disbursements.payment_rules.returned_entry`` so that the payment flow and reconciliation post
  the same entry under the same derived id (a replay, never a second entry).
* ``write_off``: an unexplained bank line with a second person's approval: a debit the bank took goes to the
  write-off account against Cash; a credit the bank gave goes to Cash against Revenues.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from ledger.accounts import Direction
from ledger.entries import EntryCode, EntryDraft, Posting, new_entry_id, reversal_of
from payments.disbursements.payment_rules import LedgerItem, entry_id_for, returned_entry, sent_entries
from payments.reconciliation.recon_records import BookPayment

CASH, IN_TRANSIT, PAYABLE, REVENUES, EXPENDITURES = "1010", "1050", "2010", "4000", "5000"
DEFAULT_FUND = "100"  # as BookPayment.fund_split: a payment whose invoices are not known


class SettlementBook:
    """Collects the posted shares of matched payments and turns them into one entry per (date, fund, currency)."""

    def __init__(self, file_id: str, cash: str = CASH) -> None:
        self.file_id = file_id
        self.cash = cash  # the Cash chart account of the bank account the statement is for (treasury_accounts)
        # Keyed by (booking date, fund, currency, Cash account): one entry each.
        self._shares: dict[tuple[date, str, str, str], list[tuple[str, int]]] = defaultdict(list)
        self._lines: dict[tuple[date, str, str, str], int] = defaultdict(int)
        self._ids: dict[tuple[date, str, str, str], str] = {}

    def add(self, booked: date, payments: Sequence[BookPayment], cash: str | None = None) -> str | None:
        """Record the payments one line settles; return the id of the entry their (first fund's) share is in.
        ``cash``: the line's bank account's Cash, when the book's lines are of more than one account."""
        first = None
        seen: set[tuple[date, str, str, str]] = set()
        cash = cash or self.cash
        for payment in payments:
            for fund, amount in payment.funds or ((DEFAULT_FUND, payment.amount_minor),):
                key = (booked, fund, payment.currency, cash)
                self._shares[key].append((payment.payment_id, amount))
                seen.add(key)
                entry_id = self._ids.get(key)
                if entry_id is None:
                    entry_id = self._ids[key] = new_entry_id()
                first = first or entry_id
        for key in seen:
            self._lines[key] += 1
        return first

    def add_one(self, booked: date, payment: BookPayment, cash: str | None = None) -> str:
        """``add(booked, [payment])`` for the common line that settles one payment, without the bookkeeping of
        a line spread over several (a payment's funds are distinct, so each of its entries counts the line once)."""
        first = ""  # every payment has at least one share, so this is set below
        cash = cash or self.cash
        for fund, amount in payment.funds or ((DEFAULT_FUND, payment.amount_minor),):
            key = (booked, fund, payment.currency, cash)
            self._shares[key].append((payment.payment_id, amount))
            self._lines[key] += 1
            entry_id = self._ids.get(key)
            if entry_id is None:
                entry_id = self._ids[key] = new_entry_id()
            first = first or entry_id
        return first

    def add_shares(self, booked: date, fund: str, currency: str, shares: Sequence[tuple[str, int]]) -> str:
        """``add_one`` for each of these payments, all of one fund and currency, known only by id and amount (the
        lines the database decided: ``payments.reconciliation.recon_trace``); returns their entry's id."""
        key = (booked, fund, currency, self.cash)
        self._shares[key].extend(shares)
        self._lines[key] += len(shares)
        entry_id = self._ids.get(key)
        if entry_id is None:
            entry_id = self._ids[key] = new_entry_id()
        return entry_id

    def drafts(self, memo: str = "") -> list[EntryDraft]:
        out: list[EntryDraft] = []
        for (booked, fund, currency, cash), shares in sorted(self._shares.items()):
            total = sum(a for _, a in shares)
            shares.sort()
            digest = hashlib.sha256("\n".join(f"{p}:{a}" for p, a in shares).encode()).hexdigest()
            out.append(EntryDraft(
                self._ids[(booked, fund, currency, cash)], booked, EntryCode.PAYMENT_SETTLED.value,
                (Posting(f"{fund}-{IN_TRANSIT}", Direction.DEBIT, total, currency),
                 Posting(f"{fund}-{cash}", Direction.CREDIT, total, currency)),
                memo=memo or f"payments settled per bank statement of {booked.isoformat()}",
                references={"recon_file": self.file_id, "booking_date": booked.isoformat(), "fund": fund},
                data={"payments": len(shares), "lines": self._lines[(booked, fund, currency, cash)],
                      "payment_digest": digest}))
        return out

    def entry_ids(self) -> list[str]:
        return list(self._ids.values())

    def booking_days(self) -> tuple[date, date]:
        """The first and the last booking date of what was added (the book must not be empty)."""
        days = [booked for booked, _, _, _ in self._ids]
        return min(days), max(days)

    def __bool__(self) -> bool:
        return bool(self._shares)


def return_drafts(payment: BookPayment, items: Sequence[LedgerItem], on: date, *, settled: bool,
                  reason_code: str, cash: str = CASH) -> list[EntryDraft]:
    """The ``payment_returned`` entry, and the reversal of the discount taken and interest owed with the payment.

    The same drafts, under the same derived ids, as the payment flow posts when a rail reports a return
    (``payments.disbursements.payment_submission.mark_returned``): whichever path sees the return first posts, the other finds
    the payment already returned. Without invoice items, the payment's own fund split is used.
    """
    if not items:
        items = [LedgerItem(f"{payment.payment_id}:{fund}", amount, 0, 0, fund)
                 for fund, amount in payment.fund_split()]
    drafts: list[EntryDraft] = []
    entry = returned_entry(payment.payment_id, payment.currency, items, on, settled=settled, reason_code=reason_code,
                           cash=cash)
    if entry is not None:
        drafts.append(entry)
    # The discount and interest were priced for this payment; a later payment prices them afresh.
    drafts += [reversal_of(d, entry_id=entry_id_for(payment.payment_id, f"reversal_{d.code}"), effective_date=on,
                           memo=f"payment returned {reason_code}")
               for d in sent_entries(payment.payment_id, payment.batch_ref or "", payment.currency, items,
                                     payment.sent_on) if d.code != EntryCode.PAYMENT_SENT.value]
    return drafts


def write_off_draft(*, exception_id: str, line_id: str | None, signed_amount_minor: int, currency: str, on: date,
                    fund: str, account: str | None, requested_by: str, approved_by: str, reason: str,
                    cash_account: str = CASH) -> EntryDraft:
    """Bring the books to the bank for an unexplained line: the bank's debit or credit, with its other side (the
    Cash of the bank account the line's statement is for)."""
    amount = abs(signed_amount_minor)
    cash = Posting(f"{fund}-{cash_account}", Direction.CREDIT if signed_amount_minor < 0 else Direction.DEBIT, amount,
                   currency)
    other_account = account or f"{fund}-{EXPENDITURES if signed_amount_minor < 0 else REVENUES}"
    other = Posting(other_account, Direction.DEBIT if signed_amount_minor < 0 else Direction.CREDIT, amount, currency)
    refs = {"recon_exception": exception_id}
    if line_id:
        refs["statement_line"] = line_id
    return EntryDraft(new_entry_id(), on, EntryCode.WRITE_OFF.value, (other, cash), memo=reason[:200],
                      references=refs, data={"requested_by": requested_by, "approved_by": approved_by})


def manual_settlement_draft(payments: Iterable[BookPayment], on: date, *, line_id: str, exception_id: str,
                            by: str, reason: str, cash: str = CASH) -> EntryDraft | None:
    """A person's match of a line to payments settles them like any statement match, in one entry."""
    per_fund: dict[tuple[str, str], int] = defaultdict(int)
    for p in payments:
        for fund, amount in p.fund_split():
            per_fund[(fund, p.currency)] += amount
    legs: list[Posting] = []
    for (fund, currency), amount in sorted(per_fund.items()):
        legs.append(Posting(f"{fund}-{IN_TRANSIT}", Direction.DEBIT, amount, currency))
        legs.append(Posting(f"{fund}-{cash}", Direction.CREDIT, amount, currency))
    if not legs:
        return None
    return EntryDraft(new_entry_id(), on, EntryCode.PAYMENT_SETTLED.value, tuple(legs), memo=reason[:200],
                      references={"statement_line": line_id, "recon_exception": exception_id},
                      data={"matched_by": by, "method": "manual"})
