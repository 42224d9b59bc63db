"""The NACHA rail: a run's batch becomes one ACH file in the outbox, handed to a transport (a directory drop).

- Vendors get CCD credits; one invoice rides as CCD+ (one ``RMR`` Addenda05); several invoices as CTX with an
  X12 820 across as many Addenda05 as it needs; an individual gets PPD. Prenotes are zero-dollar 23/33. An invoice
  paid with prompt-payment interest names the rule set the interest was computed under in a ``REF`` after its
  ``RMR`` (in a CCD+ addenda when both fit in its 80 characters).
- Trace numbers come with the payments (derived from each payment id and stored at claim time), so a
  resubmission carries the same traces. Every other header value is derived from the submission, so the
  same batch always produces byte-for-byte the same file: two processes racing write identical bytes.
- The file is checked by the reader before it leaves; a file the reader faults is refused (``RailRejected``).
- Dates: an ordinary payment's batch carries the next business day as its effective entry date (next-day
  ACH); a same-day payment's batch carries the day it is sent, and its company descriptive date says
  ``SDHHMM`` (Nacha's same-day convention: the FedACH settlement time the file is meant for). The settlement
  date (positions 76-78) stays blank: the ACH Operator writes it. Payments with different dates go in
  different batches, since a batch has one effective entry date.
- Same-day is offered when the policy's ``[nacha]`` table says ``same_day = true``, up to the ODFI's
  ``same_day_cutoff`` (wall clock, New York) and ``same_day_limit`` per payment (default $1,000,000, Nacha's
  limit since 2022-03-18; an ODFI may set less).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from payments.disbursements.payment_rules import trace_numbers
from payments.disbursements.rails import (RailAccountType, RailBatch, RailCapabilities, RailPayment, RailPaymentStatus,
                            RailRejected, RailSec, RailSubmission, RemittanceLine)

from adapters.rails.transport import DirectoryDrop, Transport, write_atomic
from adapters.formats.nacha.batch_header import Batch
from adapters.formats.nacha.entry_detail import Entry
from adapters.formats.nacha.errors import NachaBuildError
from adapters.formats.nacha.file_header import NachaFile
from adapters.formats.nacha.reader import read
from adapters.formats.nacha.addenda05 import Addenda05
from adapters.formats.nacha.remittance import (CreditAdjustment, InvoiceRemittance, Remittance820, ccd_plus_addenda,
                                               ctx_addenda)
from adapters.formats.nacha.writer import write

_CODES = {  # (account type, prenote) -> transaction code
    (RailAccountType.CHECKING, False): 22, (RailAccountType.CHECKING, True): 23,
    (RailAccountType.SAVINGS, False): 32, (RailAccountType.SAVINGS, True): 33,
}
_MODIFIERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
# FedACH same-day submission deadlines (New York) and the settlement time each feeds (FORMATS.md 1.7).
FEDACH_SAME_DAY_WINDOWS = ((dt.time(10, 30), "1300"), (dt.time(14, 45), "1700"), (dt.time(16, 45), "1800"))
SAME_DAY_LIMIT = "1000000.00"  # dollars per payment, Nacha since 2022-03-18
_UNPRINTABLE = re.compile(r"[^ -~]")
_X12_RESERVED = re.compile(r"[*\\~>^]")


def _text(value: str, width: int) -> str:
    """Uppercase printable ASCII, cut to the field: names come from vendor records, not from us."""
    return _UNPRINTABLE.sub(" ", value).upper()[:width].rstrip()


class NachaOriginator:
    """The agency's identity in the file, from the policy's ``[nacha]`` table."""

    def __init__(self, cfg: Mapping[str, Any]) -> None:
        self.immediate_destination = str(cfg.get("immediate_destination", "231380104"))
        self.destination_name = str(cfg.get("destination_name", ""))
        self.immediate_origin = str(cfg.get("immediate_origin", "1234567890"))
        self.origin_name = str(cfg.get("origin_name", ""))
        self.company_id = str(cfg.get("company_id", "1234567890"))
        self.company_name = str(cfg.get("company_name", "DISBURSE"))
        self.odfi_routing = str(cfg.get("odfi_routing", "231380104"))
        self.entry_description = str(cfg.get("entry_description", "VENDOR PAY"))
        self.originator_status = int(cfg.get("originator_status", 1))
        self.same_day = bool(cfg.get("same_day", False))
        hour, minute = (int(x) for x in str(cfg.get("same_day_cutoff", "13:00")).split(":"))
        self.same_day_cutoff = dt.time(hour, minute)
        dollars, _, cents = str(cfg.get("same_day_limit", SAME_DAY_LIMIT)).partition(".")
        self.same_day_limit_minor = int(dollars.replace(",", "")) * 100 + int((cents + "00")[:2])
        self.same_day_descriptive = (str(cfg.get("same_day_descriptive", "")) or same_day_descriptive(
            self.same_day_cutoff)) if self.same_day else ""

    @property
    def odfi_id(self) -> str:
        return self.odfi_routing[:8]


def same_day_descriptive(cutoff: dt.time) -> str:
    """``SDHHMM`` for the first FedACH same-day window a file sent by ``cutoff`` can still make."""
    for deadline, settles in FEDACH_SAME_DAY_WINDOWS:
        if cutoff <= deadline:
            return f"SD{settles}"
    raise ValueError(f"a same-day cut-off of {cutoff:%H:%M} is after FedACH's last same-day window (16:45)")


def advice_reference(payment_id: str) -> str:
    """The CCD+ addenda text of a payment whose remittance is in the portal: at most 80 characters."""
    return f"REMITTANCE ADVICE {payment_id.upper()} IN THE VENDOR PORTAL"[:80]


def file_name(submission_id: str) -> str:
    return f"{submission_id}.ach"


def file_id_modifier(submission_id: str) -> str:
    return _MODIFIERS[hashlib.sha256(submission_id.encode()).digest()[0] % len(_MODIFIERS)]


def _invoice(r: RemittanceLine) -> InvoiceRemittance:
    """One invoice of a payment as X12 remittance: with its interest's rule set (a REF) when it carries interest."""
    return InvoiceRemittance(invoice_number=_X12_RESERVED.sub("-", r.invoice_number), paid_cents=r.paid_minor,
                             gross_cents=r.invoice_amount_minor, discount_cents=r.discount_minor or None,
                             invoice_date=r.invoice_date, interest_cents=r.interest_minor,
                             interest_rule=_X12_RESERVED.sub("-", r.interest_rule) if r.interest_rule else None)


def _entry(p: RailPayment, trace: str, originator: NachaOriginator, created: dt.datetime) -> Entry:
    ctx = p.sec_code is RailSec.CTX
    addenda: tuple = ()
    if not p.prenote and p.remittance:
        credits = [r for r in p.remittance if r.credit_memo]
        if ctx:
            addenda = ctx_addenda(Remittance820(
                sender_id=originator.company_id, receiver_id=_text(p.payee_id, 15) or "RECEIVER",
                interchange_control_number=int(trace[8:]), created=created,
                payer_name=_text(originator.company_name, 60), payee_name=_text(p.payee_name, 60) or "PAYEE",
                payer_id=originator.company_id, trace_reference=trace, payment_date=created.date(),
                invoices=[_invoice(r) for r in p.remittance if not r.credit_memo],
                adjustments=[CreditAdjustment(memo_number=_X12_RESERVED.sub("-", r.invoice_number)[:30],
                                              amount_cents=-r.paid_minor) for r in credits]))
        elif p.sec_code is RailSec.CCD and credits:
            # One 80-character addenda cannot carry an invoice and a credit: it names the remittance advice the
            # vendor reads in the portal (GET /v1/portal/payments/{id}), every invoice and credit with its amount.
            addenda = (Addenda05(advice_reference(p.payment_id)),)
        elif p.sec_code is RailSec.CCD and len(p.remittance) == 1:
            try:
                addenda = (ccd_plus_addenda(_invoice(p.remittance[0])),)
            except NachaBuildError:
                addenda = ()  # an invoice number too long for one addenda: plain CCD rather than a cut RMR
    return Entry(transaction_code=_CODES[(p.account_type, p.prenote)], rdfi_routing=p.routing_number,
                 account_number=p.account_number, amount_cents=0 if p.prenote else p.amount_minor,
                 receiver_name=_text(p.payee_name, 16 if ctx else 22) or "PAYEE", trace_number=trace,
                 identification=_text(p.external_id[-15:], 15), addenda=addenda)


def build_file(batch: RailBatch, originator: NachaOriginator) -> tuple[NachaFile, dict[str, str]]:
    """The NachaFile for a batch, and each trace's payment id (the manifest)."""
    derived = trace_numbers([p.payment_id for p in batch.payments if not p.trace_number], originator.odfi_id)
    traces = {p.payment_id: p.trace_number or derived[p.payment_id] for p in batch.payments}
    created = batch.created_at.astimezone(dt.timezone.utc)
    batches = []
    dated = sorted({(p.effective_date or batch.effective_date, p.same_day) for p in batch.payments})
    for effective, same_day in dated:
        for sec in (RailSec.CCD, RailSec.CTX, RailSec.PPD):
            chosen = sorted((p for p in batch.payments if p.sec_code is sec and p.same_day == same_day
                             and (p.effective_date or batch.effective_date) == effective),
                            key=lambda p: traces[p.payment_id])
            if not chosen:
                continue
            batches.append(Batch(
                service_class=220, company_name=_text(originator.company_name, 16), company_id=originator.company_id,
                sec_code=sec.value, entry_description=_text(originator.entry_description, 10),
                effective_date=effective, odfi_id=originator.odfi_id, originator_status=originator.originator_status,
                descriptive_date=originator.same_day_descriptive if same_day else f"{effective:%b %d}".upper(),
                entries=tuple(_entry(p, traces[p.payment_id], originator, created) for p in chosen)))
    nacha = NachaFile(immediate_destination=originator.immediate_destination,
                      immediate_origin=originator.immediate_origin, creation_date=created.date(),
                      creation_time=created.time().replace(second=0, microsecond=0),
                      file_id_modifier=file_id_modifier(batch.submission_id),
                      immediate_destination_name=_text(originator.destination_name, 23),
                      immediate_origin_name=_text(originator.origin_name, 23),
                      reference_code=batch.submission_id[-8:].upper(), batches=tuple(batches))
    return nacha, {trace: pid for pid, trace in traces.items()}


class NachaRail:
    """Writes the file into ``outbox/pending`` and hands it to the transport (a directory drop by default)."""

    name = "nacha"

    def __init__(self, originator: NachaOriginator, outbox_dir: Path, *, transport: Transport | None = None,
                 crash: Callable[[str], None] = lambda _name: None, name: str | None = None) -> None:
        self.originator = originator
        self.pending_dir = Path(outbox_dir) / "pending"
        self.transport = transport or DirectoryDrop(Path(outbox_dir))
        self._crash = crash
        if name:
            self.name = name

    def capabilities(self) -> RailCapabilities:
        o = self.originator
        return RailCapabilities(frozenset({RailSec.CCD, RailSec.CTX, RailSec.PPD}), frozenset({"USD"}),
                                same_day=o.same_day, max_payment_minor=9_999_999_999,
                                details={"format": "NACHA", "transport": type(self.transport).__name__},
                                settlement_lag_business_days=1,
                                same_day_cutoff=o.same_day_cutoff if o.same_day else None,
                                same_day_max_payment_minor=o.same_day_limit_minor if o.same_day else None)

    def render(self, batch: RailBatch) -> tuple[bytes, dict[str, str]]:
        """The file's bytes and manifest, refused unless the reader finds the file clean."""
        try:
            nacha, manifest = build_file(batch, self.originator)
            data = write(nacha)
        except NachaBuildError as exc:
            raise RailRejected(f"the NACHA file cannot be built: {exc.message}", where=exc.where,
                               field=exc.field) from None
        checked = read(data, strict=True)
        if not checked.ok:
            first = checked.problems[0]
            raise RailRejected(f"the NACHA file fails validation at line {first.line}: {first.message}",
                               problems=len(checked.problems))
        return data, manifest

    def submit(self, batch: RailBatch) -> RailSubmission:
        name = file_name(batch.submission_id)
        if self.transport.delivered(name):
            return self._receipt(batch.submission_id, duplicate=True)
        pending = self.pending_dir / name
        if pending.exists():
            data = pending.read_bytes()  # written before a crash: send exactly those bytes, never rebuild
        else:
            data, manifest = self.render(batch)
            write_atomic(self.pending_dir / f"{name}.json", json.dumps(manifest, sort_keys=True).encode())
            write_atomic(pending, data)
        self._crash("after_writing_file")
        published = self.transport.deliver(name, data)
        return self._receipt(batch.submission_id, duplicate=not published)

    def _manifest(self, submission_id: str) -> dict[str, str]:
        path = self.pending_dir / f"{file_name(submission_id)}.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def _receipt(self, submission_id: str, *, duplicate: bool) -> RailSubmission:
        name = file_name(submission_id)
        data = self.transport.read(name) or b""
        result = read(data) if data else None
        return RailSubmission(submission_id, self.name, name, dt.datetime.now(dt.timezone.utc),
                              result.entry_count() if result else 0, result.credit_cents() if result else 0,
                              duplicate)

    def lookup(self, submission_id: str) -> RailSubmission | None:
        if not self.transport.delivered(file_name(submission_id)):
            return None
        return self._receipt(submission_id, duplicate=True)

    def status(self, submission: RailSubmission) -> list[RailPaymentStatus]:
        """A NACHA file has no status channel: returns arrive as files for reconciliation. A bank transport that
        knows more (the sandbox) answers through ``statuses``."""
        statuses = getattr(self.transport, "statuses", None)
        if statuses is None:
            return []
        manifest = self._manifest(submission.submission_id)
        return [RailPaymentStatus(manifest[trace], outcome, code, reason)
                for trace, (outcome, code, reason) in sorted(statuses(submission.reference).items())
                if trace in manifest]


def build(context: Any) -> NachaRail:
    """Registry factory: policy ``[nacha]``, files under ``<outbox>/nacha``."""
    return NachaRail(NachaOriginator(context.section("nacha")), Path(context.outbox_dir) / "nacha",
                     crash=context.crash)
