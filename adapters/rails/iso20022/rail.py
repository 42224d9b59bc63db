"""The ISO 20022 rail: a run's batch becomes one pain.001 (.09 by default, .03 for banks that still want it),
XSD-validated before it leaves; pain.002 status reports dropped in the rail's status directory say what
the bank did with each payment, keyed by the EndToEndId we sent: the payment's own id.

ISO credit transfers have no prenote: a prenote payment is not put in the message and is reported
``rejected`` (reason ``NOPN``) so that its account is verified another way.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ledger.money import minor_text
from payments.ap.prompt_pay_rules.agency import interest_note
from payments.disbursements.rails import (RailAccountType, RailBatch, RailCapabilities, RailOutcome, RailPaymentStatus,
                            RailRejected, RailSec, RailSubmission)
from payments.reconciliation.statements import FormatError, PaymentOutcome

from ..transport import DirectoryDrop, Transport, write_atomic
from .pain001 import (DEFAULT_VERSION, CashAccountType, CreditTransfer, CreditTransferInitiation, Debtor,
                      LocalInstrument, PaymentBlock, ReferredDocument, build_pain001)
from adapters.formats.iso20022.pain002 import read_pain002

_ACCOUNT = {RailAccountType.CHECKING: CashAccountType.CHECKING, RailAccountType.SAVINGS: CashAccountType.SAVINGS}
_OUTCOME = {PaymentOutcome.ACCEPTED: RailOutcome.ACCEPTED, PaymentOutcome.PENDING: RailOutcome.PENDING,
            PaymentOutcome.REJECTED: RailOutcome.REJECTED, PaymentOutcome.CANCELLED: RailOutcome.REJECTED}
NO_PRENOTE = "NOPN"


def _remittance(lines, currency: str) -> str | None:  # noqa: ANN001
    text = "; ".join(f"{r.invoice_number} {minor_text(r.paid_minor, currency)}" for r in lines)
    return text[:140] or None


def _documents(lines, currency: str) -> tuple[ReferredDocument, ...]:  # noqa: ANN001
    """Structured remittance when the payment deducts a credit or adds prompt-payment interest: each invoice (CINV,
    with its interest and the rule set it was computed under) and credit note (CREN)."""
    if not any(r.credit_memo or r.interest_minor for r in lines):
        return ()
    return tuple(ReferredDocument("CREN", r.invoice_number, -r.paid_minor) if r.credit_memo
                 else ReferredDocument("CINV", r.invoice_number, r.paid_minor, r.invoice_amount_minor - r.discount_minor,
                                       r.interest_minor, interest_note(r.interest_rule, r.interest_minor, currency)
                                       if r.interest_minor and r.interest_rule else None) for r in lines)


def build_message(batch: RailBatch, cfg: Mapping[str, Any]) -> tuple[CreditTransferInitiation, dict[str, str]]:
    """The message for a batch (prenotes left out) and the payment-information id of each payment."""
    debtor = Debtor(name=str(cfg.get("debtor_name", "CITY OF RIVERTON")),
                    account_number=str(cfg.get("debtor_account", "000123456789")),
                    routing_number=str(cfg.get("debtor_routing", "231380104")),
                    company_id=str(cfg.get("company_id", "1234567890")), account_type=CashAccountType.CHECKING)
    blocks, where = [], {}
    dates = sorted({p.effective_date or batch.effective_date for p in batch.payments})
    for sec, on in ((sec, on) for on in dates for sec in (RailSec.CCD, RailSec.CTX, RailSec.PPD)):
        chosen = [p for p in batch.payments if p.sec_code is sec and not p.prenote
                  and (p.effective_date or batch.effective_date) == on]
        if not chosen:
            continue
        # One block per instrument and execution date; the first date keeps the old id, so files stay stable.
        block_id = f"{batch.submission_id[4:]}-{sec.value}" + ("" if on == dates[0] else f"-{on:%Y%m%d}")
        blocks.append(PaymentBlock(
            payment_info_id=block_id, requested_execution_date=on, debtor=debtor,
            local_instrument=LocalInstrument(sec.value),
            transfers=tuple(CreditTransfer(
                end_to_end_id=p.external_id, amount_minor=p.amount_minor, currency=p.currency,
                creditor_name=p.payee_name[:140], creditor_routing_number=p.routing_number,
                creditor_account_number=p.account_number, remittance=_remittance(p.remittance, p.currency),
                instruction_id=p.payment_id[-35:], creditor_account_type=_ACCOUNT[p.account_type],
                documents=_documents(p.remittance, p.currency)) for p in chosen)))
        where.update({p.payment_id: block_id for p in chosen})
    message = CreditTransferInitiation(message_id=batch.submission_id, created_at=batch.created_at,
                                       initiating_party_name=debtor.name, initiating_party_id=debtor.company_id,
                                       blocks=tuple(blocks))
    return message, where


class Iso20022Rail:
    """Writes ``<submission>.xml`` to the outbox and drops it with the transport; reads pain.002 from ``status/``."""

    name = "iso20022"

    def __init__(self, cfg: Mapping[str, Any], outbox_dir: Path, *, transport: Transport | None = None,
                 crash: Callable[[str], None] = lambda _name: None) -> None:
        self._cfg = dict(cfg)
        self.version = str(cfg.get("version", DEFAULT_VERSION))
        self.outbox_dir = Path(outbox_dir)
        self.status_dir = self.outbox_dir / "status"
        self.transport = transport or DirectoryDrop(self.outbox_dir)
        self._crash = crash

    def capabilities(self) -> RailCapabilities:
        return RailCapabilities(frozenset({RailSec.CCD, RailSec.CTX, RailSec.PPD}), frozenset({"USD"}),
                                same_day=False, prenotes=False, details={"format": self.version},
                                # A credit transfer is executed on the requested date itself.
                                settlement_lag_business_days=0,
                                # Known to the banks by its EndToEndId: there is no ACH trace to show anyone.
                                ach_traces=False)

    def submit(self, batch: RailBatch) -> RailSubmission:
        name = f"{batch.submission_id}.xml"
        if self.transport.delivered(name):
            return self._receipt(batch.submission_id, True)
        message, where = build_message(batch, self._cfg)
        manifest = {"payments": {p.payment_id: where.get(p.payment_id) for p in batch.payments}}
        if message.blocks:
            try:
                data = build_pain001(message, self.version)
            except FormatError as exc:
                raise RailRejected(f"the pain.001 cannot be built: {exc.message}") from None
        write_atomic(self.outbox_dir / "pending" / f"{name}.json", json.dumps(manifest, sort_keys=True).encode())
        self._crash("after_writing_file")
        published = self.transport.deliver(name, data) if message.blocks else self.transport.deliver(name, b"")
        return self._receipt(batch.submission_id, not published)

    def _receipt(self, submission_id: str, duplicate: bool) -> RailSubmission:
        manifest = self._manifest(submission_id)
        return RailSubmission(submission_id, self.name, f"{submission_id}.xml", dt.datetime.now(dt.timezone.utc),
                              len(manifest), 0, duplicate)

    def _manifest(self, submission_id: str) -> dict[str, str | None]:
        path = self.outbox_dir / "pending" / f"{submission_id}.xml.json"
        return json.loads(path.read_text())["payments"] if path.exists() else {}

    def lookup(self, submission_id: str) -> RailSubmission | None:
        return self._receipt(submission_id, True) if self.transport.delivered(f"{submission_id}.xml") else None

    def status(self, submission: RailSubmission) -> list[RailPaymentStatus]:
        manifest = self._manifest(submission.submission_id)
        verdicts: dict[str, RailPaymentStatus] = {
            pid: RailPaymentStatus(pid, RailOutcome.REJECTED, NO_PRENOTE, "ISO credit transfers carry no prenote")
            for pid, block in manifest.items() if block is None}
        for path in sorted(self.status_dir.glob("*.xml")) if self.status_dir.exists() else []:
            report = read_pain002(path.read_bytes())
            if report.original_message_id not in (None, submission.submission_id):
                continue
            for pid, block in manifest.items():
                found = report.resolve(pid, block) if block else None
                if found is not None:
                    verdicts[pid] = RailPaymentStatus(pid, _OUTCOME[found.status], found.reason_code,
                                                      found.reason_text or found.additional_info,
                                                      found.bank_reference)
        return [verdicts[pid] for pid in sorted(verdicts)]


def build(context: Any) -> Iso20022Rail:
    cfg = {**context.section("nacha"), **context.section("iso20022")}
    cfg.setdefault("debtor_name", cfg.get("company_name", "CITY OF RIVERTON"))
    cfg.setdefault("debtor_routing", cfg.get("odfi_routing", "231380104"))
    return Iso20022Rail(cfg, Path(context.outbox_dir) / "iso20022", crash=context.crash)
