"""What a payment run reads from the AP and vendor tables: approved invoices and vendors' bank accounts.

Read-only adapters of ``PayableInvoices`` and ``PayeeAccounts`` over ``ap_tables`` (invoices, holds,
approvals, PO coding) and ``identity_tables`` (vendor bank accounts). The account number is decrypted by the
field cipher the composition root hands in, only when a rail writes its file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from adapters.db.ap import ap_tables
from adapters.db.ap.prompt_pay_repo import facts_for
from adapters.db.people import identity_tables
from adapters.db.people.bank_account_repo import SqlBankAccountRepository
from payments.errors import DomainError
from payments.disbursements.payment_runs import PayableInvoice, PayeeAccount
from payments.disbursements.payment_states import PayeeAccountStatus, PayeeKind
from payments.disbursements.rails import RailAccountType
from payments.people.bank_account_records import payment_holds_of
from payments.ap.terms import PaymentTerms, parse_terms

ACCOUNT_NUMBER_COLUMN = "account_number"  # the column the field cipher binds account numbers to
_STATUS = {"active": PayeeAccountStatus.ACTIVE, "blocked": PayeeAccountStatus.BLOCKED}




def _time(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _terms(text: str) -> PaymentTerms | None:
    try:
        return parse_terms(text) if text and text.strip() else None
    except DomainError:
        return None  # terms nobody can read take no discount; the due date still stands


class SqlPayableInvoices:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def find(self, *, through: dt.date, currency: str | None = None) -> list[PayableInvoice]:
        inv = ap_tables.invoices
        query = select(inv).where(inv.c.status == "approved")
        if currency:
            query = query.where(inv.c.currency == currency)
        return [i for i in self._load(query)
                if i.due_date <= through or (i.discount_date is not None and i.discount_date <= through)]

    def get(self, invoice_id: str) -> PayableInvoice | None:
        inv = ap_tables.invoices
        found = self._load(select(inv).where(inv.c.id == invoice_id,
                                             inv.c.status.in_(("approved", "matched", "held"))))
        return found[0] if found else None

    def _load(self, query: Any) -> list[PayableInvoice]:
        ap = ap_tables
        holds, approvals, lines, po_lines = ap.invoice_holds, ap.invoice_approvals, ap.invoice_lines, ap.po_lines
        with self._engine.connect().execution_options(disburse_read_only=True) as conn:
            rows = list(conn.execute(query))
            ids = [r.id for r in rows]
            facts = facts_for(conn, rows)  # disputes, stops, the vendor's kind, federal money (issue 18)
            open_holds: dict[str, list[str]] = {}
            approvers: dict[str, set[str]] = {}
            coding: dict[str, tuple[str, str, str]] = {}
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                for h in conn.execute(select(holds.c.invoice_id, holds.c.hold)
                                      .where(holds.c.invoice_id.in_(chunk), holds.c.status == "open")):
                    open_holds.setdefault(h.invoice_id, []).append(h.hold)
                for a in conn.execute(select(approvals.c.invoice_id, approvals.c.approver_id)
                                      .where(approvals.c.invoice_id.in_(chunk))):
                    approvers.setdefault(a.invoice_id, set()).add(a.approver_id)
                for c in conn.execute(select(lines.c.invoice_id, po_lines.c.fund, po_lines.c.department,
                                             po_lines.c.object_code)
                                      .select_from(lines.join(po_lines, (po_lines.c.po_id == lines.c.po_id)
                                                              & (po_lines.c.line_no == lines.c.po_line_no)))
                                      .where(lines.c.invoice_id.in_(chunk))
                                      .order_by(lines.c.invoice_id, lines.c.line_no)):
                    coding.setdefault(c.invoice_id, (c.fund, c.department, c.object_code))
        out = []
        for r in rows:
            terms = _terms(r.terms)
            base = r.pp_receipt_date or r.invoice_date
            due = r.pp_due_date or (terms.net_due_date(base) if terms and base else None)
            if due is None:
                continue  # no prompt-pay clock yet: nothing says when it is due
            fund, dept, obj = coding.get(r.id, ("100", None, None))
            invoice = PayableInvoice(
                invoice_id=r.id, vendor_id=r.vendor_id, invoice_number=r.invoice_number, currency=r.currency,
                amount_minor=r.total_minor, due_date=due, invoice_date=r.invoice_date, terms=terms,
                terms_base_date=base if terms else None, holds=tuple(sorted(open_holds.get(r.id, ()))),
                approver_ids=frozenset(approvers.get(r.id, ())), fund=fund,
                expenditure_account=f"{fund}-5000-{dept}-{obj}" if dept and obj else None, prompt_pay_rule=r.pp_rule,
                prompt_pay_facts=facts.get(r.id))
            out.append(invoice)
        return out


class SqlPayeeAccounts:
    """Vendors' bank accounts; ``cipher`` is a ``FieldCipher`` (decrypt bound to row id and column)."""

    def __init__(self, engine: Engine, cipher: Any = None, clock: Any = None) -> None:
        self._engine = engine
        self._cipher = cipher
        self._clock = clock

    def _rows(self, where) -> list[tuple[Any, tuple[str, ...]]]:  # noqa: ANN001
        """Each account row with the holds on paying to it, read by the rule the portal and staff views show
        (``payment_holds_of``): a payment run pays no account that a person sees held."""
        acc, changes, vendors = (identity_tables.vendor_bank_accounts, identity_tables.bank_account_changes,
                                 ap_tables.vendors)
        cols: list[Any] = [acc, changes.c.prenote_sent_at, vendors.c.legal_name]
        source = (acc.outerjoin(changes, changes.c.id == acc.c.change_id)
                  .outerjoin(vendors, vendors.c.id == acc.c.vendor_id))
        with self._engine.connect().execution_options(disburse_read_only=True) as conn:
            rows = list(conn.execute(select(*cols).select_from(source).where(where(acc)).order_by(acc.c.created_at)))
            store = SqlBankAccountRepository(conn)
            return [(r, tuple(payment_holds_of(r.vendor_id, store.get_change(r.change_id) if r.change_id else None))
                     if r.status == "active" else ()) for r in rows]

    @staticmethod
    def _account(pair: tuple[Any, tuple[str, ...]]) -> PayeeAccount:
        row, holds = pair
        name = getattr(row, "legal_name", None) or row.vendor_id
        return PayeeAccount(
            account_id=row.id, vendor_id=row.vendor_id, payee_name=name, routing_number=row.routing_number,
            account_type=RailAccountType(row.account_type), status=_STATUS.get(row.status, PayeeAccountStatus.PENDING),
            payee_kind=PayeeKind.BUSINESS, account_mask=f"****{row.account_last4}",
            # An account activated without a prenote through any channel gets one from the first run.
            prenote_required=row.status == "active" and row.prenote_sent_at is None, change_id=row.change_id,
            holds=holds)

    def awaiting_prenote(self) -> list[PayeeAccount]:
        """Accounts whose change request finished cooling off and has no prenote yet: the run sends it."""
        if self._clock is None:
            return []
        changes = identity_tables.bank_account_changes
        now = self._clock.now()
        with self._engine.connect().execution_options(disburse_read_only=True) as conn:
            due = [r.bank_account_id for r in conn.execute(
                select(changes.c.bank_account_id, changes.c.cooling_off_until)
                .where(changes.c.status == "cooling_off", changes.c.prenote_sent_at.is_(None)))
                if r.cooling_off_until and _time(r.cooling_off_until) <= now]
        if not due:
            return []
        rows = self._rows(lambda acc: acc.c.id.in_(due))
        return [replace(self._account(r), prenote_due=True) for r in rows]

    def for_vendor(self, vendor_id: str) -> PayeeAccount | None:
        rows = self._rows(lambda acc: acc.c.vendor_id == vendor_id)
        if not rows:
            return None
        active = [r for r in rows if r[0].status == "active"]
        return self._account((active or rows)[-1])

    def get(self, account_id: str) -> PayeeAccount | None:
        rows = self._rows(lambda acc: acc.c.id == account_id)
        return self._account(rows[0]) if rows else None

    def account_number(self, account_id: str) -> str:
        if self._cipher is None:
            raise DomainError("no field cipher to open bank account numbers", code="bank_account_unreadable")
        acc = identity_tables.vendor_bank_accounts
        with self._engine.connect().execution_options(disburse_read_only=True) as conn:
            blob = conn.execute(select(acc.c.account_ciphertext).where(acc.c.id == account_id)).scalar()
        if blob is None:
            raise DomainError(f"bank account {account_id} does not exist", code="bank_account_missing")
        return self._cipher.decrypt(bytes(blob), row_id=account_id, column=ACCOUNT_NUMBER_COLUMN)
