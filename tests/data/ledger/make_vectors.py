"""Regenerate ledger test vectors: `python tests/data/ledger/make_vectors.py` (output must not change)."""

import datetime as dt
import json
from pathlib import Path

from adapters.clock import FixedClock
from ledger.accounts import Direction, fund_chart
from ledger.canonical import canonical_bytes
from ledger.entries import EntryDraft, Posting
from ledger.journal import Journal
from ledger.signing import Ed25519Signer

SEED = bytes(range(32))
OUT = Path(__file__).with_name("vectors.json")


def build() -> dict:
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    from tests.fakes import InMemoryJournalStore

    signer = Ed25519Signer.from_seed(SEED)
    store = InMemoryJournalStore(fund_chart("100", "General Fund"))
    journal = Journal(store, signer, FixedClock(dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.timezone.utc)))
    drafts = [
        EntryDraft("je_01JZ0000000000000000000001", dt.date(2026, 7, 1), "ledger_genesis", (),
                   memo="Disburse journal genesis",
                   data={"key_id": signer.key_id, "public_key": signer.public_key.hex()}),
        EntryDraft("je_01JZ0000000000000000000002", dt.date(2026, 7, 1), "opening_balance",
                   (Posting("100-1010", Direction.DEBIT, 1250000000, "USD"),
                    Posting("100-3010", Direction.CREDIT, 1250000000, "USD")),
                   memo="General Fund opening balance", references={"fund": "100"}),
        EntryDraft("je_01JZ0000000000000000000003", dt.date(2026, 7, 2), "payment_sent",
                   (Posting("100-2010", Direction.DEBIT, 1234567, "USD"),
                    Posting("100-1050", Direction.CREDIT, 1234567, "USD")),
                   memo="Paiement à Société Générale — ünïcödé stays as is",
                   references={"invoice": "inv_01JZ00000000000000000000AA", "payment": "pay_01JZ00000000000000000000BB"},
                   data={"trace_number": "231380100000001"}),
    ]
    store.rows.clear()
    # Seal by hand so the genesis id is fixed too.
    from ledger.canonical import GENESIS_PREV_HASH
    prev = GENESIS_PREV_HASH
    vectors = []
    for seq, draft in enumerate(drafts, start=1):
        sealed = journal._seal(draft, seq, "2026-07-01T09:30:00.000000Z", prev)
        vectors.append({
            "sequence": seq,
            "canonical_utf8": canonical_bytes(draft, sequence=seq, recorded_at=sealed.recorded_at,
                                              key_id=sealed.key_id).decode("utf-8"),
            "prev_hash": prev.hex(), "hash": sealed.hash.hex(), "signature": sealed.signature.hex(),
        })
        prev = sealed.hash
    return {"description": "Disburse ledger canonical encoding v1 test vectors; see docs/ledger-format.md",
            "ed25519_seed": SEED.hex(), "public_key": signer.public_key.hex(), "key_id": signer.key_id,
            "version_byte": "01", "entries": vectors}


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {OUT}")
