"""Treasury reconciliation use cases: import a bank file, run the daily reconciliation, carry out bank-account
actions. Each import is one unit of work and one commit: the file row, its lines, matches, payment transitions,
ledger entries and exceptions land together or not at all.

Idempotency: the same bytes are recognized by their SHA-256 digest (UNIQUE) and post nothing; the same bank
entry arriving in another file is recognized by its line identity (UNIQUE) and skipped; returns and NOCs by their
trace numbers. A malformed file is refused by its reader before anything is written.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from ledger.journal import Journal
from payments.ports import Clock, KeyVault, UowFactory
from payments.dates import DatePolicy
from payments.reconciliation.recon_file_checks import check_file_dates, check_file_lengths
from payments.journal_signers import JournalSigners
from payments.reconciliation.bank_notices import ChangeNotice, NoticeFile
from payments.business_days import BusinessCalendar
from payments.errors import DomainError
from payments.disbursements.payment_rejections import EXCEPTION, FAILED, apply_rejection
from payments.reconciliation.recon_ids import IdSequence
from payments.reconciliation.recon_apply import ApplyContext, exception_record, match_and_apply, open_unsettled_exceptions
from payments.reconciliation.recon_lines import prepare
from payments.disbursements.treasury_accounts import TreasuryAccounts
from payments.reconciliation.recon_notices import apply_notices
from payments.reconciliation.recon_ports import ReconUnitOfWork, ReturnedInvoices, VendorBankAccounts
from payments.reconciliation.recon_records import BookPayment, DateWindow, ExceptionKind, ReconException
from payments.reconciliation.recon_rows import ChangeRecord, ImportedFileRecord, ReturnRecord
from payments.reconciliation.statements import (Finding, FormatError, ImportedFile, PaymentOutcome, Severity,
                                               StatusReport)

log = logging.getLogger(__name__)
class Reader(Protocol):
    """Reads a whole bank file (``adapters.statements.bank_files.read_bank_file``), or raises ``FormatError``;
    ``strict`` also checks the file against its official schema."""

    def __call__(self, data: bytes, format: str | None = None, /, *,  # noqa: A002 - the file format's name
                 strict: bool = False) -> ImportedFile | NoticeFile | StatusReport: ...


SYSTEM = "system:reconciliation"
_IDS = threading.local()  # one id sequence per thread: the HTTP server imports on several at once


class StatementInconsistent(FormatError):
    """The statement contradicts its own control records (totals, counts, balances): its lines settle nothing.

    The reader still read it (and says where); reconciliation refuses it whole, because matching payments against
    amounts the file itself disowns would post what the bank may not have done.
    """

    code = "statement_inconsistent"

    def __init__(self, findings: list[Finding]) -> None:
        first = findings[0]
        more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
        super().__init__(f"{first.message}{more}", location=first.location,
                         findings=[f"{f.location}: {f.message}" for f in findings[:50]])


@dataclass(frozen=True)
class ReconPolicy:
    """The knobs of reconciliation (from ``[reconciliation]`` in the policy file)."""

    window: DateWindow = DateWindow()
    unsettled_after_business_days: int = 3
    lookback_days: int = 120
    default_fund: str = "100"
    cash_account_suffix: str = "-1010"
    dates: DatePolicy = field(default_factory=DatePolicy)  # the one date policy ([dates])
    # The agency's bank accounts, each with its own Cash ([[treasury.bank_accounts]], treasury_accounts).
    treasury: TreasuryAccounts = field(default_factory=TreasuryAccounts)


@dataclass
class ImportResult:
    """What an import did (or, with ``dry_run``, would do); ``duplicate_file`` means nothing was done again."""

    file_id: str
    format: str
    digest: str
    duplicate_file: bool = False
    dry_run: bool = False
    statements: int = 0
    lines_read: int = 0
    lines_new: int = 0
    lines_already_imported: int = 0
    lines_not_booked: int = 0
    duplicate_lines: int = 0
    lines_matched: int = 0
    lines_set_based: int = 0
    payments_settled: int = 0
    payments_confirmed: int = 0
    payments_failed: int = 0
    return_credits: int = 0
    returns_posted: int = 0
    returns_replayed: int = 0
    changes_proposed: int = 0
    changes_replayed: int = 0
    invoices_reopened: int = 0
    accounts_blocked: int = 0
    exceptions_opened: int = 0
    exceptions_resolved: int = 0
    entry_ids: list[str] = field(default_factory=list)
    methods: dict[str, int] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    bank_actions: list[str] = field(default_factory=list)
    timings_s: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class ReconciliationService:
    def __init__(self, uow_factory: UowFactory[ReconUnitOfWork], vault: KeyVault, clock: Clock, *, read: Reader,
                 policy: ReconPolicy | None = None, calendar: BusinessCalendar | None = None,
                 invoices: ReturnedInvoices | None = None, bank_accounts: VendorBankAccounts | None = None,
                 set_based: bool = True) -> None:
        self._uow = uow_factory
        self.set_based = set_based  # False: every line through the Python matcher (the reference path)
        self._vault = vault
        self._clock = clock
        self._read = read
        self.policy = policy or ReconPolicy()
        self.calendar = calendar or BusinessCalendar()
        self.invoices = invoices
        self.bank_accounts = bank_accounts
        self._signers = JournalSigners(vault, clock, self.policy.dates)

    # -- plumbing -----------------------------------------------------------------------------------------
    def _journal(self, uow: ReconUnitOfWork) -> Journal:
        return self._signers.journal(uow.ledger)

    @staticmethod
    def _new_id(prefix: str) -> str:
        seq = getattr(_IDS, "seq", None)
        if seq is None:
            seq = _IDS.seq = IdSequence()
        return seq(prefix)

    def _context(self, uow: ReconUnitOfWork, file_id: str, actor: str, now: datetime, since: date) -> ApplyContext:
        treasury = self.policy.treasury
        if len(treasury.accounts) > 1:
            # Every fund has each bank account's own Cash account (the default chart has 1010 only): add what a fund
            # created since lacks, in this unit of work, before anything posts to it.
            funds = {a.fund for a in uow.ledger_queries.list_accounts() if a.fund and a.code == f"{a.fund}-2010"}
            uow.ledger_queries.add_accounts(treasury.cash_chart(funds))
        return ApplyContext(uow, self._journal(uow), file_id, actor, now, self._new_id, self.policy.window,
                            self.calendar, since, self.set_based, lambda account: treasury.for_statement(account).cash)

    # -- import -------------------------------------------------------------------------------------------
    def import_file(self, data: bytes, *, format: str | None = None, name: str | None = None,  # noqa: A002
                    actor: str = SYSTEM, dry_run: bool = False, strict: bool = False,
                    history: bool = False) -> ImportResult:
        """Read the whole file (or raise ``FormatError``: nothing written), then import it in one unit of work.

        ``strict``: the reader also checks the file against its official schema (an XSD), refusing on any breach.
        ``history``: older history, back to the date policy's ``history_from``, is accepted (an explicit import).
        """
        _IDS.seq = IdSequence()  # fresh per import: its ids carry this import's time
        started = time.perf_counter()
        parsed = self._read(data, format, strict=True) if strict else self._read(data, format)
        read_s = time.perf_counter() - started
        if isinstance(parsed, ImportedFile) and parsed.has_errors:
            raise StatementInconsistent([f for f in parsed.findings if f.severity is Severity.ERROR])
        digest = getattr(parsed, "digest", None) or hashlib.sha256(data).hexdigest()
        kind = _format_name(parsed)
        now = self._clock.now()
        check_file_dates(parsed, self.policy.dates, now.date(), history=history)
        check_file_lengths(parsed)
        with self._uow() as uow:
            earlier = uow.recon.file_by_digest(digest)
            if earlier is not None:
                result = ImportResult(earlier.id, earlier.format, digest, duplicate_file=True, dry_run=dry_run)
                result.findings = earlier.summary.get("findings", [])
                return result
            file_id = self._new_id("rfl")
            result = ImportResult(file_id, kind, digest, dry_run=dry_run)
            record = ImportedFileRecord(file_id, digest, kind, now, actor, {}, name,
                                        getattr(parsed, "message_id", None))
            if not uow.recon.add_file(record):
                return ImportResult(file_id, kind, digest, duplicate_file=True, dry_run=dry_run)
            if isinstance(parsed, ImportedFile):
                proposals, blocks = self._import_statement(uow, parsed, result, actor, now), list[ReturnRecord]()
            elif isinstance(parsed, NoticeFile):
                proposals, blocks = self._import_notices(uow, parsed, result, actor, now)
            else:
                self._import_status(uow, parsed, result, now)
                proposals, blocks = [], []
            uow.recon.set_file_summary(file_id, {k: v for k, v in result.to_dict().items()
                                                 if k not in ("entry_ids", "bank_actions")})
            result.timings_s["read"] = round(read_s, 3)
            if dry_run:
                return result  # leaving the unit of work uncommitted rolls every row and entry back
            committing = time.perf_counter()
            uow.commit()
            result.timings_s["commit"] = round(time.perf_counter() - committing, 3)
        self._after_commit(result, proposals, blocks)
        return result

    def _import_statement(self, uow: ReconUnitOfWork, parsed: ImportedFile, result: ImportResult, actor: str,
                          now: datetime) -> list[tuple[ChangeRecord, ChangeNotice, BookPayment]]:
        started = time.perf_counter()
        statements, prepared, repeated, unbooked = prepare(parsed, result.file_id, self._new_id)
        prepared_at = time.perf_counter()
        days = {line.booking_date for line in prepared}
        existing = uow.recon.existing_identities(
            (line.identity for line in prepared), accounts={s.account_id for s in statements},
            first=min(days) if days else None, last=max(days) if days else None)
        fresh = [line for line in prepared if line.identity not in existing] if existing else prepared
        new_lines = [line for line in fresh if line.line_id not in repeated] if repeated else fresh
        duplicates = [line for line in fresh if line.line_id in repeated]
        uow.recon.add_statements(statements)
        result.timings_s.update(prepare_lines=round(prepared_at - started, 3),
                                known_lines=round(time.perf_counter() - prepared_at, 3))
        result.statements, result.lines_not_booked = len(statements), unbooked
        result.lines_read = len(prepared) + unbooked
        result.lines_new, result.lines_already_imported = len(fresh), len(prepared) - len(fresh)
        result.duplicate_lines = len(duplicates)
        result.findings = [{"code": str(f.code), "severity": str(f.severity), "location": f.location,
                            "message": f.message} for f in parsed.findings]
        dates = [line.booking_date for line in new_lines] or [now.date()]
        outcome = match_and_apply(self._context(uow, result.file_id, actor, now, self._since(min(dates))),
                                  new_lines, duplicates)
        self._merge(result, outcome)
        return []

    def _import_notices(self, uow: ReconUnitOfWork, parsed: NoticeFile, result: ImportResult, actor: str,
                        now: datetime) -> tuple[list[tuple[ChangeRecord, ChangeNotice, BookPayment]], list[ReturnRecord]]:
        journal = self._journal(uow)
        outcome = apply_notices(uow, parsed, file_id=result.file_id, actor=actor, now=now, today=now.date(),
                                journal=journal, new_id=self._new_id, invoices=self.invoices,
                                treasury=self.policy.treasury)
        result.returns_posted, result.returns_replayed = outcome.returns_posted, outcome.returns_replayed
        result.changes_proposed, result.changes_replayed = outcome.changes_queued, outcome.changes_replayed
        result.invoices_reopened, result.exceptions_opened = outcome.invoices_reopened, outcome.exceptions_opened
        result.entry_ids = list(outcome.entry_ids)
        result.findings = [{"code": str(f.code), "severity": str(f.severity), "location": f.location,
                            "message": f.message} for f in parsed.findings]
        if outcome.returns_posted:
            # A credit already on an imported statement may be this return's money coming back.
            rematch = match_and_apply(self._context(uow, result.file_id, actor, now, self._since(now.date())))
            self._merge(result, rematch)
        return outcome.proposals, outcome.blocks

    def _import_status(self, uow: ReconUnitOfWork, report: StatusReport, result: ImportResult, now: datetime) -> None:
        """pain.002: a refusal of one of our payments is applied exactly as the ISO 20022 rail's status poll applies
        it (``payment_rejections.apply_rejection``: the payment fails, ``payment_sent`` is reversed, the invoices
        are approved again with a ``payment_failed`` hold); the bank's own reference a status gives (``AcctSvcrRef``) is
        kept for the payment; the rest is informational."""
        ids = {s.end_to_end_id for s in report.statuses if s.end_to_end_id}
        ours = {key: p.payment_id for key, p in (uow.recon_payments.by_keys(ids) if ids else {}).items()}
        submission = uow.payments.get_submission(report.original_message_id) if report.original_message_id else None
        if submission is not None and report.group_status is not None:
            # A verdict on the whole message reaches the payments it does not list, as on the rail's path; the
            # message id is our submission id. (A payment block's verdict needs the rail's block ids: rail only.)
            ours.update((p.id, p.id) for p in uow.payments.payments_of_run(submission.run_id)
                        if p.submission_id == submission.id)
        journal: list[Journal] = []

        def once() -> Journal:
            journal[:] = journal or [self._journal(uow)]
            return journal[0]

        for key, payment_id in sorted(ours.items(), key=lambda kv: kv[1]):
            s = report.resolve(key)
            if s is not None and s.bank_reference:  # the bank's own reference for it: kept, as the rail's poll does
                uow.bank_reference_log.learn(payment_id, s.bank_reference, source="status_report", at=now)
            # The rail reads a cancellation as a refusal too (``iso20022.rail._OUTCOME``).
            if s is None or s.status not in (PaymentOutcome.REJECTED, PaymentOutcome.CANCELLED):
                continue
            outcome = apply_rejection(uow, once, payment_id, reason_code=s.reason_code,
                                      text=s.reason_text or s.additional_info, on=now.date(), now=now)
            result.payments_failed += outcome == FAILED
            result.exceptions_opened += outcome == EXCEPTION
        result.lines_read = len(report.statuses)

    def _since(self, earliest: date) -> date:
        return earliest - timedelta(days=self.policy.lookback_days)

    @staticmethod
    def _merge(result: ImportResult, outcome: Any) -> None:
        result.lines_matched += outcome.lines_matched
        result.lines_set_based += outcome.lines_set_based
        result.payments_settled += outcome.payments_settled
        result.payments_confirmed += outcome.payments_confirmed
        result.return_credits += outcome.return_credits
        result.exceptions_opened += outcome.exceptions_opened
        result.exceptions_resolved += outcome.exceptions_resolved
        result.entry_ids += outcome.entry_ids
        for phase, seconds in outcome.timings_s.items():
            result.timings_s[phase] = round(result.timings_s.get(phase, 0.0) + seconds, 3)
        for method, count in outcome.methods.items():
            result.methods[method] = result.methods.get(method, 0) + count

    # -- after the commit: the bank-account quarantine ------------------------------------------------------
    def _after_commit(self, result: ImportResult, proposals: list[tuple[ChangeRecord, ChangeNotice, BookPayment]],
                      blocks: list[ReturnRecord]) -> None:
        for record, notice, payment in proposals:
            result.bank_actions.append(self._propose(record, notice, payment))
        for ret in blocks:
            message = self._block(ret)
            result.bank_actions.append(message)
            result.accounts_blocked += message.startswith("blocked")

    def _propose(self, record: Any, notice: Any, payment: Any) -> str:
        if self.bank_accounts is None:
            return self._change_failed(record, "no bank-account service is wired; propose the change by hand")
        try:
            change_id = self.bank_accounts.propose_from_notice(
                vendor_id=payment.vendor_id, account_id=payment.account_id, corrected=notice.corrected,
                change_code=notice.change_code, original_trace=notice.original_trace)
        except DomainError as exc:
            return self._change_failed(record, f"{exc.code}: {exc.message}")
        with self._uow() as uow:
            uow.recon.set_change_state(record.id, "proposed", change_id=change_id,
                                       detail=f"{notice.change_code} proposed as {change_id}")
            uow.commit()
        return f"proposed {change_id} from {notice.change_code} for {payment.vendor_id}"

    def _change_failed(self, record: Any, why: str) -> str:
        now = self._clock.now()
        with self._uow() as uow:
            uow.recon.set_change_state(record.id, "failed", change_id=None, detail=why)
            uow.recon.add_exceptions([exception_record(ReconException(
                ExceptionKind.NOC_NOT_APPLIED, f"{record.change_code} for {record.payment_id} could not become a "
                f"proposed bank-account change: {why}", 0, "USD",
                payment_ids=(record.payment_id,) if record.payment_id else (),
                notice_ref=f"noc {record.original_trace} {record.change_code}"), new_id=self._new_id, now=now,
                dedup_key=f"noc:{record.original_trace}:{record.change_code}:{record.notice_trace}")])
            uow.commit()
        log.warning("notification of change %s not applied: %s", record.id, why)
        return f"not applied: {why}"

    def _block(self, ret: ReturnRecord) -> str:
        if self.bank_accounts is None:
            return "block pending: no bank-account service is wired"
        if ret.payment_id is None:
            return "block failed: the return names no payment of ours"
        with self._uow(read_only=True) as uow:
            payment = uow.recon_payments.by_keys({ret.payment_id}).get(ret.payment_id)
        if payment is None or payment.vendor_id is None or payment.account_id is None:
            return f"block failed: payment {ret.payment_id} no longer exists"
        try:
            detail = self.bank_accounts.block_for_return(vendor_id=payment.vendor_id, account_id=payment.account_id,
                                                         reason_code=ret.reason_code, reason=ret.reason)
            state = "done"
        except DomainError as exc:
            detail, state = f"{exc.code}: {exc.message}", "failed"
        with self._uow() as uow:
            uow.recon.set_bank_action(ret.id, state, detail)
            uow.commit()
        return f"blocked: {detail}" if state == "done" else f"block failed: {detail}"

    def retry_bank_actions(self) -> list[str]:
        """Blocks that did not run (crash after commit, service down): idempotent, so simply run them again."""
        with self._uow(read_only=True) as uow:
            pending = uow.recon.pending_bank_actions()
        return [self._block(ret) for ret in pending]

    # -- the daily run ----------------------------------------------------------------------------------------
    def reconcile(self, on: date | None = None, *, actor: str = SYSTEM) -> dict[str, Any]:
        """Match what is still open, flag payments unsettled too long, retry bank actions. Idempotent."""
        now = self._clock.now()
        on = self.policy.dates.check(on, "date", now.date()) if on is not None else now.date()
        with self._uow() as uow:
            ctx = self._context(uow, f"run:{on.isoformat()}", actor, now, self._since(on))
            outcome = match_and_apply(ctx)
            unsettled = open_unsettled_exceptions(ctx, on, self.policy.unsettled_after_business_days)
            uow.commit()
        actions = self.retry_bank_actions()
        return {"date": on.isoformat(), "lines_matched": outcome.lines_matched,
                "payments_settled": outcome.payments_settled, "exceptions_resolved": outcome.exceptions_resolved,
                "exceptions_opened": outcome.exceptions_opened + unsettled, "unsettled_flagged": unsettled,
                "entry_ids": outcome.entry_ids, "bank_actions": actions}


def _format_name(parsed: Any) -> str:
    if isinstance(parsed, NoticeFile):
        return "nacha"
    if isinstance(parsed, StatusReport):
        return "pain.002"
    return str(parsed.format)
