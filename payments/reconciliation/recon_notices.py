"""Returns and notifications of change, applied inside one unit of work.

A return: the payment becomes ``returned`` (guarded), the ``payment_returned`` entry is posted, the invoices go
back to approved-and-unpaid with a ``payment_returned`` hold and the reason in plain words, and for an
account-level code the vendor's account is queued to be blocked. A NOC is queued to become a proposed
bank-account change. The two bank-account steps run after the commit (``VendorBankAccounts`` has its own unit
of work) and what they did is written back; a block that failed is retried by the daily run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from datetime import date, datetime
from typing import Any

from ledger.entries import EntryDraft
from ledger.journal import Journal
from payments.reconciliation.bank_notices import ChangeNotice, NoticeFile
from payments.disbursements.payment_rules import entry_id_for
from payments.errors import StaleState
from payments.reconciliation.recon_apply import exception_record
from payments.disbursements.treasury_accounts import TreasuryAccounts
from payments.reconciliation.recon_postings import return_drafts
from payments.reconciliation.recon_ports import ReconUnitOfWork, ReturnedInvoices
from payments.reconciliation.recon_records import BookPayment
from payments.reconciliation.recon_returns import decide_changes, decide_returns
from payments.reconciliation.recon_rows import ChangeRecord, ExceptionRecord, ReturnRecord

HOLD = "payment_returned"


@dataclass(slots=True)
class NoticeOutcome:
    returns_posted: int = 0
    returns_replayed: int = 0
    changes_queued: int = 0
    changes_replayed: int = 0
    exceptions_opened: int = 0
    invoices_reopened: int = 0
    entry_ids: list[str] = field(default_factory=list)
    # After the commit: (record, notice, payment) of each NOC to propose, and the returns whose account to block.
    proposals: list[tuple[ChangeRecord, ChangeNotice, BookPayment]] = field(default_factory=list)
    blocks: list[ReturnRecord] = field(default_factory=list)


def apply_notices(uow: ReconUnitOfWork, notices: NoticeFile, *, file_id: str, actor: str, now: datetime, today: date,
                  journal: Journal, new_id: Callable[[str], str], invoices: ReturnedInvoices | None,
                  treasury: TreasuryAccounts = TreasuryAccounts()) -> NoticeOutcome:
    out = NoticeOutcome()
    traces = {*(n.original_trace for n in notices.returns), *(c.original_trace for c in notices.changes)}
    by_trace = uow.recon_payments.by_keys(traces) if traces else {}
    known = uow.recon.existing_return_keys({n.original_trace for n in notices.returns})
    fresh = [n for n in notices.returns if (n.original_trace, n.return_trace, n.reason_code) not in known]
    out.returns_replayed = len(notices.returns) - len(fresh)
    recorded = uow.recon.recorded_returns({p.payment_id for p in by_trace.values()})
    records: list[ReturnRecord] = []
    exceptions: list[ExceptionRecord] = []
    drafts: list[EntryDraft] = []
    for d in decide_returns(fresh, by_trace, recorded=recorded):
        n, p = d.notice, d.payment
        received = n.effective_date or today
        base = partial(ReturnRecord, file_id=file_id, payment_id=p.payment_id if p else None,
                       original_trace=n.original_trace, return_trace=n.return_trace, reason_code=n.reason_code,
                       reason=n.reason, vendor_reason=n.vendor_reason, amount_minor=n.amount_minor,
                       currency=n.currency, received_on=received, account_level=n.account_level,
                       settled_before=d.settled, location=n.location, date_of_death=n.date_of_death)
        if d.action == "replay":
            out.returns_replayed += 1
            continue
        if d.exception is not None:  # action "exception"
            records.append(base(new_id("ret"), state="exception"))
            exceptions.append(exception_record(d.exception, new_id=new_id, now=now, dedup_key=(
                f"return:{n.original_trace}:{n.return_trace}:{n.reason_code}")))
            continue
        if p is None:  # decide_returns names the payment of every "post" and "adopt"
            raise ValueError(f"return {n.return_trace}: {d.action!r} without a payment")
        entry_id: str | None
        items = uow.recon_payments.ledger_items(p.payment_id)
        if d.action == "adopt":
            posted = []
            entry_id = entry_id_for(p.payment_id, "payment_returned")
        else:
            # The payment flow writes the bare code as the reason; so do we, so either path recognizes the other.
            if not uow.recon_payments.mark_returned(p.payment_id, p.status, n.reason_code, now):
                raise StaleState("payment", p.payment_id, p.status)
            # The money comes back into the Cash of the bank account the payment's rail paid it from.
            paid = uow.payments.get_payment(p.payment_id)
            run = uow.payments.get_run(paid.run_id) if paid else None
            posted = return_drafts(p, items, received, settled=d.settled, reason_code=n.reason_code,
                                   cash=treasury.for_rail(run.rail if run else None).cash)
            entry_id = posted[0].id if posted else None
            drafts += posted
        if invoices is not None:
            invoice_ids = [i.invoice_id for i in items]
            out.invoices_reopened += invoices.reopen(uow, invoice_ids, payment_id=p.payment_id,
                                                     reason_code=n.reason_code, vendor_reason=n.vendor_reason, at=now)
        record = base(new_id("ret"), state="posted", entry_id=entry_id,
                      bank_action="pending" if n.account_level else "none")
        records.append(record)
        if n.account_level:
            out.blocks.append(record)
        out.returns_posted += 1
    uow.recon.add_returns(records)

    replayed = uow.recon.recorded_changes({n.original_trace for n in notices.changes})
    # A NOC often answers a prenote (finding a wrong account before money moves is what prenotes are for): look
    # for prenotes too, so it is proposed like any other NOC. Returns stay matched to live payments only.
    unknown = {n.original_trace for n in notices.changes} - by_trace.keys()
    noc_targets = {**by_trace, **uow.recon_payments.by_keys(unknown, prenotes=True)} if unknown else by_trace
    changes: list[ChangeRecord] = []
    for decision in decide_changes(notices.changes, noc_targets, recorded=replayed):
        cn, target = decision.notice, decision.payment
        if decision.action == "replay":
            out.changes_replayed += 1
            continue
        change = ChangeRecord(new_id("noc"), file_id, target.payment_id if target else None,
                              target.vendor_id if target else None, cn.original_trace, cn.notice_trace,
                              cn.change_code, cn.reason, cn.corrected.masked(), cn.effective_date or today,
                              "pending" if decision.action == "propose" else "exception", cn.location)
        changes.append(change)
        if decision.action == "propose" and target is not None:  # a proposal always names its payment
            out.proposals.append((change, cn, target))
            out.changes_queued += 1
        elif decision.exception is not None:
            exceptions.append(exception_record(decision.exception, new_id=new_id, now=now, dedup_key=(
                f"noc:{cn.original_trace}:{cn.change_code}:{cn.notice_trace}")))
    uow.recon.add_changes(changes)
    out.exceptions_opened = uow.recon.add_exceptions(exceptions)
    if drafts:
        journal.post_many(drafts)
        out.entry_ids = [d.id for d in drafts]
    return out
