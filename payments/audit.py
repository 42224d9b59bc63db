"""The audit trail: who did what to which object, when, as a second signed hash-chained journal.

Every state change and every reveal of a secret is recorded by ``AuditTrail.record`` *inside the caller's unit
of work*, so the change and its audit event commit together or not at all. An event carries the actor, the
action (a snake_case code), the object, and SHA-256 digests of the object's state before and after (over the
ledger's canonical JSON), plus a few plain facts. It never carries a secret: snapshots must not hold passwords,
tokens or account numbers (a digest of a short account number could be reversed by guessing), and
``record`` refuses ones that name such a field.

Call ``record`` last in a unit of work, after any ledger posting: every audited change takes the audit chain's
head lock, and taking it last (and so always after the ledger's) keeps two writers from locking the two heads
in opposite orders, and keeps the lock short.

The journal machinery is the ledger's (``Journal(financial=False)``): the same chaining, signatures under the
audit journal's own key, checkpoints and verifier, so ``disburse audit verify`` works like ``ledger verify``.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable

from ledger.canonical import encode_json
from ledger.checkpoint import Checkpoint
from ledger.entries import EntryDraft, SealedEntry, new_entry_id
from ledger.errors import CheckpointWrongJournal
from ledger.journal import Journal, format_time
from ledger.keys import KeyRecord, export_keys
from ledger.schedule import TrustAnchor
from ledger.verify import VerifyReport, verify_journal
from payments.identity import Principal
from payments.journal_signers import JournalSigners
from payments.ports import Clock, KeyVault, UnitOfWork, UowFactory

JOURNAL = "audit"
SYSTEM_ACTOR = "system"
_ACTION = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
# Field names that mean "a secret is in here": refused in snapshots and details alike.
_SECRET_FIELDS = frozenset({"password", "password_hash", "account_number", "token", "secret", "session_id",
                            "ciphertext", "csrf_token"})


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One audit entry as people read it."""

    sequence: int
    event_id: str
    recorded_at: str
    action: str
    actor: str
    actor_roles: tuple[str, ...]
    object_type: str
    object_id: str
    before_digest: str | None
    after_digest: str | None
    detail: Mapping[str, Any]
    hash: str
    key_id: str
    request_id: str | None = None  # the request (or job fire) it was recorded in; None on events from before it

    @classmethod
    def from_entry(cls, entry: SealedEntry) -> AuditEvent:
        data = entry.draft.data
        return cls(entry.sequence, entry.id, entry.recorded_at, entry.draft.code, str(data.get("actor", "")),
                   tuple(data.get("actor_roles", ())), str(data.get("object_type", "")),
                   str(data.get("object_id", "")), data.get("before_digest"), data.get("after_digest"),
                   dict(data.get("detail", {})), entry.hash.hex(), entry.key_id,
                   str(data["request_id"]) if data.get("request_id") else None)


def _plain(value: Any, where: str) -> Any:
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if str(k).lower() in _SECRET_FIELDS:
                raise ValueError(f"audit {where} names the secret field {k!r}; record its mask or fingerprint")
            out[str(k)] = _plain(v, where)
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(v, where) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v, where) for v in value)
    if isinstance(value, dt.datetime):
        return format_time(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, float):
        raise ValueError(f"audit {where} holds a float; use integers or decimal strings")
    return value


def digest(state: Any) -> str | None:
    """SHA-256 (hex) of the canonical JSON of a state snapshot; None when there is no state (created, deleted)."""
    if state is None:
        return None
    return hashlib.sha256(encode_json(_plain(state, "snapshot"))).hexdigest()


def _actor_of(actor: Principal | str) -> tuple[str, list[str]]:
    if isinstance(actor, Principal):
        return actor.user_id, sorted(r.value for r in actor.roles)
    return str(actor), []


class AuditTrail:
    """Records events in the caller's unit of work; verifies and checkpoints the audit journal on its own."""

    def __init__(self, uow_factory: UowFactory[UnitOfWork], vault: KeyVault, clock: Clock, *,
                 request_id: Callable[[], str | None] | None = None) -> None:
        self._uow = uow_factory
        # Who asks is the actor; ``request_id`` names the request (or job fire) that asked, so that an event leads to
        # the log lines of its request. The adapters supply it: the domain knows nothing of HTTP.
        self._request_id = request_id
        self._vault = vault
        self._clock = clock
        self._signers = JournalSigners(vault, clock)

    # -- writing ---------------------------------------------------------------------------------------
    def record(self, uow: UnitOfWork, actor: Principal | str, action: str, object_id: str, before: Any = None,
               after: Any = None, *, object_type: str | None = None,
               detail: Mapping[str, Any] | None = None) -> SealedEntry:
        """Append one event to the audit journal in ``uow``'s transaction (the caller commits)."""
        if not _ACTION.fullmatch(action):
            raise ValueError(f"audit action {action!r} must be snake_case")
        actor_id, roles = _actor_of(actor)
        object_type = object_type or (object_id.split("_", 1)[0] if "_" in object_id else "object")
        data = {"actor": actor_id, "actor_roles": roles, "object_type": object_type, "object_id": object_id,
                "before_digest": digest(before), "after_digest": digest(after),
                "detail": _plain(dict(detail or {}), "detail")} | self._context()
        now = self._clock.now()
        draft = EntryDraft(id=new_entry_id(), effective_date=now.date(), code=action, postings=(),
                           references={"actor": actor_id[:128], "object": object_id[:128]}, data=data)
        entry = self._journal(uow).post(draft).entry
        uow.audit_index.add(entry, actor=actor_id, action=action, object_type=object_type, object_id=object_id)
        return entry

    def record_many(self, uow: UnitOfWork, actor: Principal | str, action: str,
                    events: list[tuple[str, Mapping[str, Any]]], *, object_type: str | None = None) -> list[SealedEntry]:
        """Append one event per ``(object_id, detail)``, all by ``actor`` with ``action``, in one lock of the chain
        head (a payment file opens thousands of account numbers at once). Same events as ``record`` one by one."""
        if not _ACTION.fullmatch(action):
            raise ValueError(f"audit action {action!r} must be snake_case")
        actor_id, roles = _actor_of(actor)
        now = self._clock.now()
        drafts, kinds = [], []
        for object_id, detail in events:
            kind = object_type or (object_id.split("_", 1)[0] if "_" in object_id else "object")
            data = {"actor": actor_id, "actor_roles": roles, "object_type": kind, "object_id": object_id,
                    "before_digest": None, "after_digest": None, "detail": _plain(dict(detail or {}), "detail")
                    } | self._context()
            drafts.append(EntryDraft(id=new_entry_id(), effective_date=now.date(), code=action, postings=(),
                                     references={"actor": actor_id[:128], "object": object_id[:128]}, data=data))
            kinds.append((kind, object_id))
        if not drafts:
            return []
        entries = [posted.entry for posted in self._journal(uow).post_many(drafts)]
        for entry, (kind, object_id) in zip(entries, kinds):
            uow.audit_index.add(entry, actor=actor_id, action=action, object_type=kind, object_id=object_id)
        return entries

    def _context(self) -> dict[str, str]:
        """``{"request_id": ...}`` when there is one, else nothing: the key is added only when known, so an event
        recorded outside a request (and every event from before this field) signs the same data as it always did,
        and the verifier, which re-derives each hash from the data as stored, checks old and new events alike."""
        found = self._request_id() if self._request_id is not None else None
        return {"request_id": str(found)[:128]} if found else {}

    def _journal(self, uow: UnitOfWork) -> Journal:
        sequence, _ = uow.audit.lock_head()
        if sequence == 0:
            # First event ever (or a database set up without `disburse init`): the trail starts itself.
            self._genesis(uow)
        return self._signers.journal(uow.audit, financial=False)

    def _genesis(self, uow: UnitOfWork) -> None:
        Journal(uow.audit, self._signers.create(JOURNAL), self._clock, financial=False).genesis(
            memo="Disburse audit trail genesis")

    def initialize(self) -> bool:
        """Create the audit journal's genesis entry and key if it has none. True when created."""
        with self._uow() as uow:
            sequence, _ = uow.audit.lock_head()
            if sequence:
                return False
            self._genesis(uow)
            uow.commit()
        return True

    # -- reading and verifying -------------------------------------------------------------------------
    def search(self, **filters: Any) -> list[AuditEvent]:
        """Events matching ``actor``, ``action``, ``object_type``, ``object_id``, ``since``, ``until``, oldest first."""
        with self._uow(read_only=True) as uow:
            return [AuditEvent.from_entry(e) for e in uow.audit_index.search(**filters)]

    def keys(self) -> list[KeyRecord]:
        with self._uow(read_only=True) as uow:
            return list(uow.audit.keys())

    def export_public_keys(self) -> str:
        return export_keys(self.keys(), journal=JOURNAL)

    def verify(self, *, keys: dict[str, KeyRecord] | None = None, checkpoint: Checkpoint | None = None,
               workers: int | None = None, progress: Callable[[int], None] | None = None) -> VerifyReport:
        """Re-derive every hash and check every signature of the audit journal, as the ledger's verifier does:
        ``keys`` from an exported keys file is the trust anchor (else the trail's own genesis key); the key
        registry, the head row and the checkpoints stored with the trail are checked against it."""
        if checkpoint is not None and checkpoint.journal != JOURNAL:
            raise CheckpointWrongJournal(f"that checkpoint is of the {checkpoint.journal} journal, not the audit trail")
        anchor = TrustAnchor(keys=tuple(keys.values())) if keys is not None else TrustAnchor(database=True)
        with self._uow(read_only=True) as uow:
            registry = {k.key_id: k for k in uow.audit.keys()}
            stored = uow.audit.stored_state(uow.audit.last_sequence())
            return verify_journal(uow.audit.iter_entries(), registry, anchor=anchor, checkpoint=checkpoint,
                                  checkpoints=uow.ledger_queries.checkpoints(JOURNAL), stored=stored,
                                  workers=workers, progress=progress, expected_total=uow.audit_index.count())

    def checkpoint(self) -> Checkpoint:
        """Sign and store a checkpoint of the audit journal: what catches a deleted tail."""
        with self._uow() as uow:
            cp = self._signers.checkpoint(uow.audit, JOURNAL)
            uow.ledger_queries.add_checkpoint(cp)
            uow.commit()
        return cp
