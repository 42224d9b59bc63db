"""The sandbox bank: a simulated ODFI/RDFI for the demo and the tests.

It accepts NACHA files (refusing any the reader faults), settles each entry a configurable number of business
days after its effective date, returns chosen entries with chosen R-codes and sends notifications of change
when told to, and produces the files a real bank would: NACHA return/NOC files (built with the NACHA
builder's return and NOC helpers) and BAI2 and camt.053 statements for reconciliation to import.

Its state lives in a directory (received files and an instructions file guarded by a lock), so it survives
the process being killed and several processes can use one bank.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from payments.business_days import BusinessCalendar
from payments.disbursements.rails import RailOutcome, RailRejected

from adapters.formats.nacha.addenda98 import noc_entry
from adapters.formats.nacha.addenda99 import return_entry
from adapters.formats.nacha.batch_header import Batch
from adapters.formats.nacha.entry_detail import Entry
from adapters.formats.nacha.fields import routing_check_digit
from adapters.formats.nacha.file_header import NachaFile
from adapters.rails.nacha.rail import NachaOriginator, NachaRail
from adapters.formats.nacha.reader import read
from adapters.formats.nacha.returns import noc_batch, return_batch
from adapters.formats.nacha.transaction_codes import PRENOTE_CODES
from adapters.formats.nacha.writer import write
from .sandbox_statements import Statement, StatementDetail, StatementItem, bai2_text, camt053_xml
from .transport import publish_once, write_atomic


@dataclass(frozen=True, slots=True)
class BankEntry:
    """One entry the bank received, with what it needs to settle, return or report it."""

    file: str
    batch_number: str
    sec_code: str
    effective_date: dt.date
    original: Entry
    header: Batch
    odfi_routing: str
    prenote: bool


class SandboxBank:
    """A bank in a directory. Implements the transport methods, so a NACHA rail can deliver to it."""

    def __init__(self, directory: Path, *, clock: Any, calendar: BusinessCalendar | None = None, settle_days: int = 0,
                 routing: str = "091000019", account_number: str = "000123456789",
                 opening_balance_minor: int = 1_000_000_000) -> None:
        self.directory = Path(directory)
        self.received_dir = self.directory / "received"
        self.clock = clock
        self.calendar = calendar or BusinessCalendar()
        self.settle_days = settle_days
        self.routing = routing
        self.account_number = account_number
        self.opening_balance_minor = opening_balance_minor

    # -- transport -----------------------------------------------------------------------------------------
    def deliver(self, name: str, data: bytes) -> bool:
        checked = read(data, strict=True)
        if not checked.ok:
            first = checked.problems[0]
            raise RailRejected(f"the bank refused {name}: line {first.line}: {first.message}")
        return publish_once(self.received_dir / name, data)

    def delivered(self, name: str) -> bool:
        return (self.received_dir / name).exists()

    def read(self, name: str) -> bytes | None:
        path = self.received_dir / name
        return path.read_bytes() if path.exists() else None

    # -- instructions --------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _instructions(self) -> Iterator[dict]:
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / ".lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            path = self.directory / "instructions.json"
            state = json.loads(path.read_text()) if path.exists() else {"returns": {}, "nocs": {}, "emitted": []}
            before = json.dumps(state, sort_keys=True)
            yield state
            if json.dumps(state, sort_keys=True) != before:
                write_atomic(path, json.dumps(state, sort_keys=True, indent=1).encode())

    def return_entry(self, trace: str, reason_code: str, *, on: dt.date | None = None, information: str = "") -> None:
        """Return the entry with this trace, with this R-code, on ``on`` (default today)."""
        with self._instructions() as state:
            state["returns"][trace] = {"code": reason_code, "on": (on or self._today()).isoformat(),
                                       "information": information}

    def notify_change(self, trace: str, change_code: str, corrected_data: str, *, on: dt.date | None = None) -> None:
        """Send a notification of change for the entry with this trace (corrected data laid out per code)."""
        with self._instructions() as state:
            state["nocs"][trace] = {"code": change_code, "corrected": corrected_data,
                                    "on": (on or self._today()).isoformat()}

    def _today(self) -> dt.date:
        return self.clock.now().astimezone(self.calendar.tz).date()

    # -- what the bank holds -------------------------------------------------------------------------------
    def entries(self, file: str | None = None) -> list[BankEntry]:
        out = []
        paths = [self.received_dir / file] if file else sorted(self.received_dir.glob("*.ach"))
        for path in paths:
            if not path.exists():
                continue
            result = read(path.read_bytes())
            destination = result.file_header.raw[4:13] if result.file_header else self.routing
            for batch in result.batches:
                effective = batch.effective_date
                if effective is None:  # our own rail wrote the file: a date it cannot read is a broken outbox
                    raise ValueError(f"{path.name}: batch {batch.batch_number} has no readable effective date")
                header = Batch(service_class=int(batch.service_class_code), company_name=batch.company_name,
                               company_id=batch.company_id, sec_code=batch.sec_code,
                               entry_description=batch.entry_description, effective_date=effective,
                               odfi_id=batch.odfi_id)
                odfi = batch.odfi_id + str(routing_check_digit(batch.odfi_id))
                for e in batch.entries:
                    if e.transaction_code is None:
                        raise ValueError(f"{path.name}: trace {e.trace_number} has no readable transaction code")
                    original = Entry(transaction_code=e.transaction_code, rdfi_routing=e.rdfi_routing,
                                     account_number=e.account_number, amount_cents=e.amount_cents,
                                     receiver_name=e.receiver_name, trace_number=e.trace_number,
                                     identification=e.identification)
                    out.append(BankEntry(path.name, batch.batch_number, batch.sec_code, effective, original,
                                         header, odfi or destination, e.transaction_code in PRENOTE_CODES))
        return out

    def settlement_date(self, entry: BankEntry) -> dt.date:
        return self.settles_on(entry.effective_date)

    def settles_on(self, effective: dt.date) -> dt.date:
        """The day an entry effective on ``effective`` settles at this bank."""
        return self.calendar.add_business_days(effective, self.settle_days)

    def statuses(self, file: str, today: dt.date | None = None) -> dict[str, tuple[RailOutcome, str | None, str | None]]:
        """What the bank says about each entry of a file today: returned, settled or accepted."""
        today = today or self._today()
        with self._instructions() as state:
            returns = dict(state["returns"])
        out = {}
        for e in self.entries(file):
            r = returns.get(e.original.trace_number)
            if r and dt.date.fromisoformat(r["on"]) <= today:
                out[e.original.trace_number] = (RailOutcome.RETURNED, r["code"], r["information"] or None)
            elif self.settlement_date(e) <= today:
                out[e.original.trace_number] = (RailOutcome.SETTLED, None, None)
            else:
                out[e.original.trace_number] = (RailOutcome.ACCEPTED, None, None)
        return out

    # -- files the bank sends back -------------------------------------------------------------------------
    def returns_file(self, on: dt.date | None = None) -> bytes | None:
        """A NACHA file of every return and NOC due by ``on`` not sent before; None when there is none."""
        on = on or self._today()
        by_trace = {e.original.trace_number: e for e in self.entries()}
        with self._instructions() as state:
            due = [(kind, trace, spec) for kind in ("returns", "nocs") for trace, spec in sorted(state[kind].items())
                   if f"{kind}:{trace}" not in state["emitted"] and dt.date.fromisoformat(spec["on"]) <= on
                   and trace in by_trace]
            if not due:
                return None
            batches, seq = [], 0
            groups: dict[tuple[str, str, str], list] = {}
            for kind, trace, spec in due:
                e = by_trace[trace]
                groups.setdefault((kind, e.file, e.batch_number), []).append((e, spec))
            for (kind, _file, _batch), members in sorted(groups.items()):
                entries = []
                for e, spec in members:
                    seq += 1
                    trace = f"{self.routing[:8]}{seq:07d}"
                    if kind == "returns":
                        entries.append(return_entry(e.original, reason_code=spec["code"], trace_number=trace,
                                                    original_odfi_routing=e.odfi_routing,
                                                    information=spec.get("information", "")))
                    else:
                        entries.append(noc_entry(e.original, change_code=spec["code"], corrected=spec["corrected"],
                                                 trace_number=trace, original_odfi_routing=e.odfi_routing))
                make = return_batch if kind == "returns" else noc_batch
                batches.append(make(members[0][0].header, entries, odfi_id=self.routing[:8], effective_date=on))
            data = write(NachaFile(immediate_destination=by_trace[due[0][1]].odfi_routing,
                                   immediate_origin=self.routing, creation_date=on, creation_time=dt.time(6, 0),
                                   file_id_modifier="R", immediate_destination_name="ORIGINATING BANK",
                                   immediate_origin_name="SANDBOX BANK", batches=tuple(batches)))
            state["emitted"].extend(f"{kind}:{trace}" for kind, trace, _ in due)
        write_atomic(self.directory / "returns" / f"returns-{on:%Y%m%d}-{len(state['emitted'])}.ach", data)
        return data

    def statement(self, as_of: dt.date) -> Statement:
        """The originator's account for one day: a settlement debit per batch, a credit per return."""
        entries = self.entries()
        with self._instructions() as state:
            returns = dict(state["returns"])
        items: list[StatementItem] = []
        opening = self.opening_balance_minor
        groups: dict[tuple[str, str], list[BankEntry]] = {}
        for e in entries:
            settles = self.settlement_date(e)
            if settles < as_of:
                opening -= e.original.amount_cents
            elif settles == as_of:
                groups.setdefault((e.file, e.batch_number), []).append(e)
        for (file, batch_number), members in sorted(groups.items()):
            total = sum(m.original.amount_cents for m in members)
            if not total:
                continue  # a batch of prenotes moves no money
            ref = f"{file.removesuffix('.ach')}-{batch_number}"
            items.append(StatementItem(False, total, "466", ref, members[0].header.company_id,
                                       f"ACH SETTLEMENT {members[0].sec_code} BATCH {int(batch_number)} "
                                       f"{len(members)} ENTRIES", as_of,
                                       tuple(StatementDetail(m.original.trace_number, m.original.amount_cents,
                                                             m.original.identification, m.original.receiver_name)
                                             for m in members), batch_id=ref))
        by_trace = {e.original.trace_number: e for e in entries}
        for trace, spec in sorted(returns.items()):
            found = by_trace.get(trace)
            if found is None or not found.original.amount_cents:
                continue
            e = found
            on = dt.date.fromisoformat(spec["on"])
            if on < as_of:
                opening += e.original.amount_cents
            elif on == as_of:
                items.append(StatementItem(True, e.original.amount_cents, "257", f"RET-{trace}", trace,
                                           f"ACH RETURN {spec['code']} TRACE {trace}", as_of,
                                           (StatementDetail(trace, e.original.amount_cents, e.original.identification,
                                                            e.original.receiver_name),), return_code=spec["code"]))
        return Statement(self.account_number, "USD", as_of, opening, tuple(items), bank_id=self.routing)

    def bai2(self, as_of: dt.date) -> str:
        return bai2_text(self.statement(as_of), created=self.clock.now(), file_id=f"{as_of:%Y%m%d}")

    def camt053(self, as_of: dt.date) -> bytes:
        return camt053_xml(self.statement(as_of), created=self.clock.now(), message_id=f"SANDBOX-{as_of:%Y%m%d}")


def bank_for(context: Any) -> SandboxBank:
    """The sandbox bank under ``<outbox>/sandbox/bank``: the one the rail delivers to and ``disburse sandbox`` asks."""
    return SandboxBank(Path(context.outbox_dir) / "sandbox" / "bank", clock=context.clock, calendar=context.calendar,
                       settle_days=int(context.section("sandbox")["settle_business_days"]))


def build(context: Any) -> NachaRail:
    """Registry factory: the NACHA rail delivering to a sandbox bank under ``<outbox>/sandbox``."""
    return NachaRail(NachaOriginator(context.section("nacha")), Path(context.outbox_dir) / "sandbox" / "outbox",
                     transport=bank_for(context), crash=context.crash, name="sandbox")
