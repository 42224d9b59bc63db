"""Journal entries: drafts that balance, and sealed entries that are chained and signed.

A draft is what a use case asks to post; the journal seals it (sequence, previous hash, hash, key id,
signature) at append time. Sealed entries are never updated; a correction is a new entry whose
``reverses`` names the entry it undoes.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Mapping

from ulid import ULID

from ledger.accounts import Direction
from ledger.errors import (AccountClosed, AmountMustBePositive, AmountNotInteger, EntryAmountTooLarge, EntryUnbalanced,
                           FloatInEntry, InvalidData, InvalidDirection, InvalidEffectiveDate, InvalidEntryCode,
                           InvalidEntryId, InvalidReference, InvalidReversal, LedgerError, SystemEntryWithPostings,
                           TooFewPostings, UnknownAccount, UnknownEntryCurrency)
from ledger.errors import EntryRejected as EntryRejected  # re-exported: callers name it beside the entries
from ledger.money import check_currency


class EntryCode(str, enum.Enum):
    """Why an entry was posted. Other snake_case codes are allowed; these are the ones Disburse posts."""

    LEDGER_GENESIS = "ledger_genesis"
    """First entry: introduces the first signing key."""
    KEY_ROTATED = "key_rotated"
    """Introduces a new signing key; signed by the old key and co-signed by the new one."""
    OPENING_BALANCE = "opening_balance"
    """Opening balances of a fund."""
    BUDGET_ADOPTED = "budget_adopted"
    """Adopted budget: estimated revenues and appropriations."""
    PO_ENCUMBERED = "po_encumbered"
    """A purchase order approved: encumbrance of its total."""
    PO_CLOSED = "po_closed"
    """A purchase order closed: its remaining encumbrance released."""
    RECEIPT_ACCRUED = "receipt_accrued"
    """Goods received: expenditure accrued and encumbrance liquidated."""
    INVOICE_APPROVED = "invoice_approved"
    """An invoice approved for payment: vouchers payable."""
    DISCOUNT_TAKEN = "discount_taken"
    """An early-payment discount taken."""
    INTEREST_OWED = "interest_owed"
    """Prompt-pay interest owed to the vendor."""
    PAYMENT_SENT = "payment_sent"
    """The rail accepted the payment."""
    PAYMENT_SETTLED = "payment_settled"
    """The bank statement shows the payment left the account."""
    PAYMENT_RETURNED = "payment_returned"
    """The payment came back (ACH return)."""
    REVERSAL = "reversal"
    """Undoes an earlier entry, named in ``reverses``."""
    WRITE_OFF = "write_off"
    """A reconciling difference written off with approval."""


SYSTEM_CODES = frozenset({EntryCode.LEDGER_GENESIS.value, EntryCode.KEY_ROTATED.value})
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_REF_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MAX_AMOUNT_MINOR = 10**15  # a quadrillion cents: far above any public budget, well inside int64


def new_entry_id() -> str:
    """A fresh entry id, ``je_`` plus a ULID."""
    return f"je_{ULID()}"


@dataclass(frozen=True, slots=True)
class Posting:
    """One leg of an entry. ``amount_minor`` is positive; the side is ``direction``."""

    account: str
    direction: Direction
    amount_minor: int
    currency: str

    def as_dict(self) -> dict[str, Any]:
        # getattr: a verifier may hydrate a tampered row whose direction is no longer a Direction.
        return {"account": self.account, "direction": getattr(self.direction, "value", self.direction),
                "amount_minor": self.amount_minor, "currency": self.currency}


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """What a use case asks the journal to post."""

    id: str
    effective_date: dt.date
    code: str
    postings: tuple[Posting, ...]
    memo: str = ""
    references: Mapping[str, str] = field(default_factory=dict)
    reverses: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        """The caller-chosen content, used to decide whether a replay is the same request."""
        return {
            "id": self.id, "effective_date": self.effective_date.isoformat(), "code": self.code,
            "memo": self.memo, "references": dict(sorted(self.references.items())),
            "reverses": self.reverses, "data": _plain(self.data),
            "postings": [p.as_dict() for p in self.postings],
        }


@dataclass(frozen=True, slots=True)
class SealedEntry:
    """An entry as stored: the draft plus its place in the chain and its signature."""

    draft: EntryDraft
    sequence: int
    recorded_at: str
    key_id: str
    prev_hash: bytes
    hash: bytes
    signature: bytes
    cosignature: bytes | None = None

    @property
    def id(self) -> str:
        return self.draft.id


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def validate_draft(draft: EntryDraft, known_accounts: Mapping[str, Any] | None = None, *,
                   require_postings: bool = True) -> None:
    """Check a draft against the posting rules; raise ``EntryRejected`` with a stable code on the first break.

    Rules: a ``je_`` ULID id; a snake_case code; two or more postings for a financial entry (system
    entries, and events of a non-financial journal such as the audit trail, carry none); every amount a positive integer; known ISO currencies; known, active accounts
    when ``known_accounts`` is given; debits equal credits in every currency.
    """
    if not (isinstance(draft.id, str) and draft.id.startswith("je_") and _is_ulid(draft.id[3:])):
        raise InvalidEntryId(f"entry id {draft.id!r} must be 'je_' followed by a ULID")
    if not _CODE.match(draft.code or ""):
        raise InvalidEntryCode(f"entry code {draft.code!r} must be snake_case")
    if not isinstance(draft.effective_date, dt.date) or isinstance(draft.effective_date, dt.datetime):
        raise InvalidEffectiveDate("effective_date must be a date")
    for key, value in draft.references.items():
        if not _REF_KEY.match(key) or not isinstance(value, str) or not value or len(value) > 128:
            raise InvalidReference(f"reference {key!r} must be a snake_case name with a non-empty text value")
    if draft.reverses is not None and not (isinstance(draft.reverses, str) and draft.reverses.startswith("je_")):
        raise InvalidReversal("reverses must name an entry id")
    _check_plain(draft.data, "data")
    if draft.code in SYSTEM_CODES or (not require_postings and not draft.postings):
        if draft.postings:
            raise SystemEntryWithPostings(f"a {draft.code} entry carries no postings")
        return
    if len(draft.postings) < 2:
        raise TooFewPostings("an entry needs two or more postings")
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for index, posting in enumerate(draft.postings):
        if not isinstance(posting.direction, Direction):
            raise InvalidDirection(f"posting {index}: direction must be debit or credit")
        amount = posting.amount_minor
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise AmountNotInteger(f"posting {index}: amount_minor must be an integer")
        if amount <= 0:
            raise AmountMustBePositive(f"posting {index}: amount_minor must be positive, got {amount}", posting=index)
        if amount > MAX_AMOUNT_MINOR:
            raise EntryAmountTooLarge(f"posting {index}: amount_minor {amount} exceeds the ledger maximum",
                                      posting=index)
        try:
            check_currency(posting.currency)
        except LedgerError as exc:
            raise UnknownEntryCurrency(f"posting {index}: {exc.message}", posting=index) from None
        if known_accounts is not None:
            account = known_accounts.get(posting.account)
            if account is None:
                raise UnknownAccount(f"posting {index}: account {posting.account!r} does not exist",
                                     account=posting.account)
            if not getattr(account, "active", True):
                raise AccountClosed(f"posting {index}: account {posting.account!r} is closed", account=posting.account)
        side = 0 if posting.direction is Direction.DEBIT else 1
        totals[posting.currency][side] += amount
    for currency, (debits, credits) in sorted(totals.items()):
        if debits != credits:
            raise EntryUnbalanced(f"entry does not balance in {currency}: debits {debits} != credits {credits}",
                                  currency=currency, debits_minor=debits, credits_minor=credits)


def reversal_of(entry: EntryDraft, *, entry_id: str, effective_date: dt.date, memo: str = "") -> EntryDraft:
    """A draft that undoes ``entry``: every posting on the other side, ``reverses`` naming it."""
    flipped = tuple(Posting(p.account, Direction.CREDIT if p.direction is Direction.DEBIT else Direction.DEBIT,
                            p.amount_minor, p.currency) for p in entry.postings)
    return EntryDraft(id=entry_id, effective_date=effective_date, code=EntryCode.REVERSAL.value, postings=flipped,
                      memo=memo or f"reversal of {entry.id}", references=dict(entry.references), reverses=entry.id)


# What ULID.from_str accepts: 26 Crockford base-32 digits (upper case), the first at most 7 (128 bits).
_ULID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")


def _is_ulid(text: str) -> bool:
    return isinstance(text, str) and _ULID.fullmatch(text) is not None


def _check_plain(value: Any, where: str) -> None:
    # Canonical encoding has no floats: a float in data would hash differently across platforms.
    if isinstance(value, float):
        raise FloatInEntry(f"{where} holds a float; use integers or decimal strings")
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                raise InvalidData(f"{where} keys must be text")
            _check_plain(v, f"{where}.{k}")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_plain(v, f"{where}[{i}]")
    elif value is not None and not isinstance(value, (str, int, bool)):
        raise InvalidData(f"{where} holds a {type(value).__name__}")
