"""The sandbox bank's counter: what a person may ask of it from the CLI or HTTP, with their own data.

``disburse sandbox return PAYMENT --code R03``, ``disburse sandbox noc PAYMENT --code C01 --corrected …`` and
``disburse sandbox statement --date D`` (and ``POST /v1/sandbox/…``) tell the simulated bank what to do and hand
back the file a real bank would send: a NACHA returns/NOC file, or a BAI2 / camt.053 statement of the City's
account. The file lands in the inbox (the drop folder the statement pick-up job imports), or is imported at once
through the same reconciliation service ``disburse statements import`` uses.

Refused unless the sandbox is the rail in use (``[payments] rail = "sandbox"``) and, for a return or NOC, unless
the payment went through the sandbox: a simulated bank must never speak for money that moved through a real one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.formats.nacha.change_codes import (CHANGE_REASONS, REFUSED_CHANGE_CODES, CorrectedData,
                                                 corrected_data_problem, format_corrected_data)
from adapters.formats.nacha.return_codes import RETURN_REASONS
from adapters.rails.sandbox import SandboxBank
from adapters.rails.sandbox_errors import (AlreadySent, BankClosed, BeforeSettlement, InvalidChangeCode,
                                           InvalidCorrectedData, InvalidReturnCode, InvalidStatementFormat,
                                           PaymentNotAtBank, PaymentNotInSandbox)
from adapters.rails.sandbox_errors import SandboxNotInUse as SandboxNotInUse  # re-exported: callers name it here
from adapters.rails.transport import write_atomic
from payments.errors import DateInFuture

SANDBOX = "sandbox"
STATEMENT_FORMATS = ("bai2", "camt053")
# Per change code, the corrected fields in the order ``--corrected`` takes them (FORMATS.md §1.9).
CORRECTED_FIELDS: dict[str, tuple[str, ...]] = {
    "C01": ("account_number",), "C02": ("routing_number",), "C03": ("routing_number", "account_number"),
    "C04": ("receiver_name",), "C05": ("transaction_code",), "C06": ("account_number", "transaction_code"),
    "C07": ("routing_number", "account_number", "transaction_code"), "C09": ("identification",),
}


@dataclass(frozen=True)
class SandboxFile:
    """A file the sandbox bank sent: where it was dropped (None when imported at once) and the import's result."""

    name: str
    format: str
    content: bytes
    dropped_at: Path | None = None
    imported: Any = None  # the reconciliation ImportResult, with ``import_now``

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.name, "format": self.format, "content": self.content.decode("ascii", "replace"),
                "dropped_at": str(self.dropped_at) if self.dropped_at else None,
                "imported": self.imported.to_dict() if self.imported is not None else None}


class SandboxDesk:
    def __init__(self, bank: SandboxBank, payments: Any, *, rail_in_use: str, inbox: Path,
                 import_file: Callable[..., Any]) -> None:
        self.bank = bank
        self._payments = payments
        self._rail_in_use = rail_in_use
        self._inbox = Path(inbox)
        self._import = import_file

    def return_payment(self, payment_id: str, code: str, *, on: dt.date | None = None, information: str = "",
                       import_now: bool = False, actor: str = "sandbox") -> SandboxFile:
        """The bank returns the payment with this R-code on ``on`` (default today; not before it settles)."""
        if code not in RETURN_REASONS:
            raise InvalidReturnCode(f"{code!r} is not a Nacha return reason code (R01, R03, …)")
        trace, day = self._entry(payment_id, on)
        self.bank.return_entry(trace, code, on=day, information=information[:44])
        return self._returns_file(day, import_now, actor)

    def notify_change(self, payment_id: str, code: str, corrected: Mapping[str, Any] | Sequence[str], *,
                      on: dt.date | None = None, import_now: bool = False, actor: str = "sandbox") -> SandboxFile:
        """The bank sends a notification of change for the payment. ``corrected``: the corrected fields by name
        (``{"account_number": …}``), or their values in the order the code carries them (C03: routing, account)."""
        if code not in CHANGE_REASONS or code in REFUSED_CHANGE_CODES:
            raise InvalidChangeCode(f"{code!r} is not a Nacha change code a receiving bank sends (C01-C09, C13, C14)")
        try:
            text = format_corrected_data(code, _corrected(code, corrected))
        except ValueError as exc:
            raise InvalidCorrectedData(str(exc)) from None
        problem = corrected_data_problem(code, text)
        if problem:
            raise InvalidCorrectedData(problem)
        trace, day = self._entry(payment_id, on)
        self.bank.notify_change(trace, code, text, on=day)
        return self._returns_file(day, import_now, actor)

    def statement(self, on: dt.date, *, format: str = "bai2", import_now: bool = False,  # noqa: A002
                  actor: str = "sandbox") -> SandboxFile:
        """The City's account at the bank for one day: a settlement debit per batch, a credit per return."""
        self._sandbox_in_use()
        if format not in STATEMENT_FORMATS:
            raise InvalidStatementFormat(f"statement format {format!r} is not one of {', '.join(STATEMENT_FORMATS)}")
        if on > self._today():
            raise DateInFuture(f"{on} is in the future at the bank (today is {self._today()})")
        content = self.bank.bai2(on).encode() if format == "bai2" else self.bank.camt053(on)
        name = f"sandbox-statement-{on:%Y%m%d}.{'bai2' if format == 'bai2' else 'xml'}"
        return self._deliver(name, format, content, import_now, actor)

    # -- the parts ----------------------------------------------------------------------------------------------
    def _today(self) -> dt.date:
        return self.bank.clock.now().astimezone(self.bank.calendar.tz).date()

    def _sandbox_in_use(self) -> None:
        if self._rail_in_use != SANDBOX:
            raise SandboxNotInUse(f"the rail in use is {self._rail_in_use!r}, not the sandbox: its simulated bank may "
                                  "not speak for real payments (set [payments] rail = \"sandbox\", or serve with "
                                  "--profile training)")

    def _entry(self, payment_id: str, on: dt.date | None) -> tuple[str, dt.date]:
        self._sandbox_in_use()
        payment = self._payments.get_payment(payment_id)
        rail = self._payments.get_run(payment.run_id).rail
        if rail != SANDBOX:
            raise PaymentNotInSandbox(f"payment {payment_id} went through the {rail!r} rail, not the sandbox bank")
        held = {e.original.trace_number: e for e in self.bank.entries()}
        entry = held.get(payment.trace_number or "")
        if entry is None:
            raise PaymentNotAtBank(f"the sandbox bank has not received payment {payment_id} "
                                   f"({payment.status.value}); submit its run first")
        settles, today = self.bank.settlement_date(entry), self._today()
        day = on or today
        if day > today:
            raise DateInFuture(f"{day} is in the future at the bank (today is {today})")
        if not self.bank.calendar.is_business_day(day):
            # A bank books nothing on a weekend or holiday: a return dated one would appear on no statement.
            raise BankClosed(f"{day} is not a banking day: the bank returns and notifies on business days only")
        if day < settles:
            raise BeforeSettlement(f"payment {payment_id} settles on {settles}; the bank cannot answer it on {day} "
                                   "(ask again on or after that day)")
        return entry.original.trace_number, day

    def _returns_file(self, on: dt.date, import_now: bool, actor: str) -> SandboxFile:
        content = self.bank.returns_file(on)
        if content is None:  # the same instruction again: the bank sent that file already
            raise AlreadySent("the sandbox bank already answered this payment that way; nothing new to send")
        return self._deliver(f"sandbox-returns-{on:%Y%m%d}-{len(content):x}.ach", "nacha", content, import_now, actor)

    def _deliver(self, name: str, fmt: str, content: bytes, import_now: bool, actor: str) -> SandboxFile:
        if import_now:
            return SandboxFile(name, fmt, content, imported=self._import(content, name=name, actor=actor))
        self._inbox.mkdir(parents=True, exist_ok=True)
        path = self._inbox / name
        write_atomic(path, content)
        return SandboxFile(name, fmt, content, dropped_at=path)


def _corrected(code: str, given: Mapping[str, Any] | Sequence[str]) -> CorrectedData:
    fields = CORRECTED_FIELDS.get(code)
    if fields is None:
        raise InvalidChangeCode(f"{code} carries no corrected data this desk can lay out")
    if isinstance(given, Mapping):
        parts = {k: v for k, v in given.items() if v is not None}
        extra = sorted(set(parts) - set(fields))
        if extra:
            raise InvalidCorrectedData(f"{code} carries {', '.join(fields)}, not {', '.join(extra)}")
    elif len(given) != len(fields):
        raise InvalidCorrectedData(f"{code} takes {len(fields)} corrected value(s): {', '.join(fields)}")
    else:
        parts = dict(zip(fields, given))
    if "transaction_code" in parts:
        text = str(parts["transaction_code"])
        if not (text.isascii() and text.isdigit() and len(text) == 2):
            raise InvalidCorrectedData(f"transaction code {text!r} is not two digits")
        parts["transaction_code"] = int(text)
    return CorrectedData(**parts)
