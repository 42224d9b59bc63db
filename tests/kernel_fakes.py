"""In-memory fakes of the kernel's ports (``payments/ports.py``): the audit index, the ledger's read side and a key
vault, for the unit of work every feature's fake composes on top of ``tests/fakes.InMemoryJournalStore``."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Generic, Iterable, Self, Sequence, TypeVar

from adapters.db.ledger.ledger_queries import BalanceRow
from ledger.accounts import Account
from ledger.checkpoint import Checkpoint
from ledger.entries import SealedEntry
from ledger.signing import Ed25519Signer, Signer
from payments.errors import DomainError
from payments.ports import AuditIndex, JournalStore, LedgerQueries
from tests.fakes import InMemoryJournalStore


class InMemoryAuditIndex:
    """Audit entries with the facts the index filters on, oldest first."""

    def __init__(self) -> None:
        self.rows: list[tuple[SealedEntry, dict[str, str]]] = []

    def add(self, entry: SealedEntry, *, actor: str, action: str, object_type: str, object_id: str) -> None:
        self.rows.append((entry, {"actor": actor, "action": action, "object_type": object_type,
                                  "object_id": object_id}))

    def search(self, *, actor: str | None = None, action: str | None = None, object_type: str | None = None,
               object_id: str | None = None, since: str | None = None, until: str | None = None,
               after_sequence: int = 0, limit: int = 100) -> Sequence[SealedEntry]:
        wanted = {k: v for k, v in (("actor", actor), ("action", action), ("object_type", object_type),
                                    ("object_id", object_id)) if v is not None}
        hits = [e for e, facts in self.rows
                if all(facts[k] == v for k, v in wanted.items()) and e.sequence > after_sequence
                and (since is None or e.recorded_at >= since) and (until is None or e.recorded_at < until)]
        return sorted(hits, key=lambda e: e.sequence)[:limit]

    def count(self) -> int:
        return len(self.rows)


class InMemoryLedgerQueries:
    """The ledger's read side over an in-memory journal: chart, entries, balances, checkpoints."""

    def __init__(self, journal: InMemoryJournalStore) -> None:
        self._journal = journal
        self._checkpoints: list[tuple[str, Checkpoint]] = []

    @property
    def _chart(self) -> dict[str, Account]:
        # One chart, as the database has one table: accounts added here are the journal's (a posting to them
        # validates), and the journal's own are listed here.
        return self._journal._accounts

    def add_accounts(self, items: Iterable[Account]) -> int:
        new = [a for a in items if a.code not in self._chart]
        self._chart.update((a.code, a) for a in new)
        return len(new)

    def list_accounts(self, *, fund: str | None = None, type_: str | None = None) -> list[Account]:
        return [a for code, a in sorted(self._chart.items())
                if (fund is None or getattr(a, "fund", None) == fund)
                and (type_ is None or str(getattr(a.type, "value", a.type)) == type_)]

    def get_entry(self, entry_id: str) -> SealedEntry | None:
        return self._journal.entries_by_id([entry_id]).get(entry_id)

    def list_entries(self, *, after_sequence: int = 0, limit: int = 50, code: str | None = None,
                     account: str | None = None) -> list[SealedEntry]:
        hits = [e for e in self._journal.iter_entries(after_sequence)
                if (code is None or e.draft.code == code)
                and (account is None or any(p.account == account for p in e.draft.postings))]
        return hits[:limit]

    def balances(self, *, as_of: dt.date | None = None, fund: str | None = None, department: str | None = None,
                 object_code: str | None = None, account: str | None = None,
                 currency: str | None = None) -> list[Any]:
        """Per chart account and currency: debit, credit and the balance on its normal side, as the SQL adapter's
        rows (attributes, not keys: the domain reads ``row.account``)."""
        sums: dict[tuple[str, str], list[int]] = {}
        for e in self._journal.iter_entries():
            if as_of is not None and e.draft.effective_date > as_of:
                continue
            for p in e.draft.postings:
                side = 0 if str(getattr(p.direction, "value", p.direction)) == "debit" else 1
                sums.setdefault((p.account, p.currency), [0, 0])[side] += p.amount_minor
        out = []
        for (code, cur), (debit, credit) in sorted(sums.items()):
            a = self._chart.get(code)
            if a is None or any(want is not None and have != want for want, have in (
                    (fund, a.fund), (department, a.department), (object_code, a.object_code), (account, code),
                    (currency, cur))):
                continue
            normal = str(getattr(a.normal, "value", a.normal))
            out.append(BalanceRow(code, a.name, str(getattr(a.type, "value", a.type)), a.fund, a.department,
                                  a.object_code, cur, debit, credit, debit - credit if normal == "debit" else
                                  credit - debit, normal))
        return out

    def count_entries(self) -> int:
        return len(self._journal.rows)

    def add_checkpoint(self, cp: Checkpoint) -> None:
        self._checkpoints.append((getattr(cp, "journal", "ledger"), cp))

    def checkpoints(self, journal: str = "ledger") -> Sequence[Checkpoint]:
        return [cp for name, cp in self._checkpoints if name == journal]


class MemoryKeyVault:
    """Signing keys generated and held in memory."""

    def __init__(self) -> None:
        self._signers: dict[str, Signer] = {}

    def create(self, purpose: str) -> Signer:
        signer = Ed25519Signer.generate()
        self._signers[signer.key_id] = signer
        return signer

    def signer(self, key_id: str) -> Signer:
        return self._signers[key_id]


# -- the unit of work every feature's fake database shares -------------------------------------------------

S = TypeVar("S")


@dataclass
class KernelState:
    """What every feature's fake database holds besides its own repositories: the two journals, the audit index
    and the ledger's read side over the journal. A feature's state is a dataclass on top of it."""

    ledger: InMemoryJournalStore = field(default_factory=InMemoryJournalStore)
    audit: InMemoryJournalStore = field(default_factory=InMemoryJournalStore)
    audit_index: InMemoryAuditIndex = field(default_factory=InMemoryAuditIndex)

    def __post_init__(self) -> None:
        self.ledger_queries = InMemoryLedgerQueries(self.ledger)


def copy_repos(state: S) -> S:
    """A copy of a fake database's state whose repositories and their containers are new; the records in them are
    frozen, so they are shared. The caller re-links what points from one repository to another."""
    parts: dict[str, Any] = {}
    for name, repo in vars(state).items():
        parts[name] = clone = copy.copy(repo)
        for attr, value in vars(clone).items():
            if isinstance(value, (dict, list, set)):
                setattr(clone, attr, copy.copy(value))
    new = copy.copy(state)
    vars(new).update(parts)
    return new


class CopyOnCommitUnitOfWork(Generic[S]):
    """Works on a copy of the committed state and swaps it in on ``commit``; leaving without commit (or on an
    exception) drops the copy, as a rolled-back transaction would. ``_bind`` sets the repositories' attributes."""

    _state: S
    # The kernel's ports every unit of work carries, declared as the Protocols (mypy checks the fakes bound to them).
    ledger: JournalStore
    audit: JournalStore
    ledger_queries: LedgerQueries
    audit_index: AuditIndex

    def __init__(self, db: CopyOnCommitDatabase[S], read_only: bool) -> None:
        self._db, self._read_only = db, read_only
        self._bind(self._db.fresh())

    def _bind(self, state: S) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self._bind(self._db.fresh())  # anything not committed is gone

    def commit(self) -> None:
        if self._read_only:
            raise DomainError("a read-only unit of work cannot commit", code="read_only_commit")
        self._db.committed = self._db.copy(self._state)
        self._db.commits += 1


class CopyOnCommitDatabase(Generic[S]):
    """The committed state, and the factory of units of work over it (a ``UowFactory`` of the feature's port)."""

    def __init__(self, committed: S) -> None:
        self.committed = committed
        self.commits = 0

    def copy(self, state: S) -> S:
        return state.copy()  # type: ignore[attr-defined]

    def fresh(self) -> S:
        return self.copy(self.committed)
