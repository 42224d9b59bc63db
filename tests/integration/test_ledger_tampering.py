"""Every kind of tampering, done directly in the database as an insider with SQL access would, is caught
and pinpointed: the verifier names the first bad entry and the fault."""

import datetime as dt
import hashlib

import pytest
from sqlalchemy import text

from ledger.accounts import Direction
from ledger.checkpoint import Checkpoint
from ledger.entries import EntryDraft, Posting, new_entry_id
from ledger.keys import KeyRecord, export_keys, import_keys
from ledger.schedule import TrustAnchor
from ledger.signing import Ed25519Signer

D, C = Direction.DEBIT, Direction.CREDIT


def post_payments(container, n=6):
    drafts = [EntryDraft(new_entry_id(), dt.date(2026, 8, 1), "payment_sent",
                         (Posting("100-2010", D, 1000 + i, "USD"), Posting("100-1050", C, 1000 + i, "USD")),
                         references={"payment": f"pay_{i}"}) for i in range(n)]
    return [p.entry for p in container.ledger.post(drafts)]


def tamper(container, *statements):
    """Run SQL with the immutability triggers out of the way, as an attacker with DB rights could."""
    with container.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("PRAGMA defer_foreign_keys = ON"))
            for t in ("ledger_entries", "ledger_postings", "checkpoints", "merkle_blocks"):
                for what in ("update", "delete"):
                    conn.execute(text(f"DROP TRIGGER IF EXISTS {t}_no_{what}"))
        else:
            conn.execute(text("SET session_replication_role = replica"))  # skips triggers for this session
        for sql, params in statements:
            conn.execute(text(sql), params)


def verdict(container, **kw):
    return container.ledger.verify(workers=1, **kw)


def test_an_untouched_journal_verifies(container):
    post_payments(container)
    assert verdict(container).ok


def test_the_database_itself_refuses_to_update_or_delete_journal_rows(container):
    post_payments(container, 1)
    for sql in ("UPDATE ledger_postings SET amount_minor = 1", "DELETE FROM ledger_entries WHERE sequence = 2"):
        with pytest.raises(Exception) as err:
            with container.engine.begin() as conn:
                conn.execute(text(sql))
        assert "immutable" in str(err.value)


def test_an_edited_amount_is_caught_at_its_entry(container):
    entries = post_payments(container)
    target = entries[2]
    tamper(container, ("UPDATE ledger_postings SET amount_minor = amount_minor + 100000 WHERE entry_sequence = :s",
                       {"s": target.sequence}))
    report = verdict(container)
    assert not report.ok
    assert (report.fault.sequence, report.fault.entry_id, report.fault.code) == (target.sequence, target.id,
                                                                                 "hash_mismatch")


def test_a_flipped_signature_byte_is_caught(container):
    target = post_payments(container)[3]
    flipped = bytes([target.signature[0] ^ 0x01]) + target.signature[1:]
    tamper(container, ("UPDATE ledger_entries SET signature = :sig WHERE sequence = :s",
                       {"sig": flipped, "s": target.sequence}))
    report = verdict(container)
    assert (report.fault.sequence, report.fault.code) == (target.sequence, "bad_signature")


def test_a_deleted_middle_entry_is_a_sequence_gap(container):
    entries = post_payments(container)
    gone = entries[2]
    tamper(container, ("DELETE FROM ledger_postings WHERE entry_sequence = :s", {"s": gone.sequence}),
           ("DELETE FROM ledger_entries WHERE sequence = :s", {"s": gone.sequence}))
    report = verdict(container)
    assert (report.fault.sequence, report.fault.code) == (gone.sequence, "sequence_gap")


def test_a_deleted_middle_entry_with_sequences_renumbered_breaks_the_chain(container):
    entries = post_payments(container)
    gone, after = entries[2], entries[3]
    statements = [("DELETE FROM ledger_postings WHERE entry_sequence = :s", {"s": gone.sequence}),
                  ("DELETE FROM ledger_entries WHERE sequence = :s", {"s": gone.sequence})]
    for e in entries[3:]:  # renumber downwards, one at a time, postings first
        statements.append(("INSERT INTO ledger_entries SELECT sequence - 1, id || '_', effective_date, recorded_at, "
                           "code, memo, references_json, data_json, reverses, key_id, prev_hash, hash, signature, "
                           "cosignature FROM ledger_entries WHERE sequence = :s", {"s": e.sequence}))
        statements.append(("UPDATE ledger_postings SET entry_sequence = entry_sequence - 1 WHERE entry_sequence = :s",
                           {"s": e.sequence}))
        statements.append(("DELETE FROM ledger_entries WHERE sequence = :s", {"s": e.sequence}))
        statements.append(("UPDATE ledger_entries SET id = :id WHERE sequence = :s", {"id": e.id, "s": e.sequence - 1}))
    tamper(container, *statements)
    report = verdict(container)
    assert (report.fault.sequence, report.fault.entry_id, report.fault.code) == (gone.sequence, after.id,
                                                                                 "hash_mismatch")


def test_two_swapped_entries_are_caught_at_the_first_of_them(container):
    entries = post_payments(container)
    a, b = entries[1], entries[2]
    tamper(container,
           ("UPDATE ledger_postings SET entry_sequence = -1 WHERE entry_sequence = :a", {"a": a.sequence}),
           ("UPDATE ledger_postings SET entry_sequence = :a WHERE entry_sequence = :b", {"a": a.sequence, "b": b.sequence}),
           ("UPDATE ledger_postings SET entry_sequence = :b WHERE entry_sequence = -1", {"b": b.sequence}),
           ("UPDATE ledger_entries SET sequence = -1 WHERE sequence = :a", {"a": a.sequence}),
           ("UPDATE ledger_entries SET sequence = :a WHERE sequence = :b", {"a": a.sequence, "b": b.sequence}),
           ("UPDATE ledger_entries SET sequence = :b WHERE sequence = -1", {"b": b.sequence}))
    report = verdict(container)
    assert (report.fault.sequence, report.fault.code) == (a.sequence, "hash_mismatch")


def test_an_entry_resigned_with_a_foreign_key_is_an_unknown_key(container):
    target = post_payments(container)[-1]
    forger = Ed25519Signer.generate()
    tamper(container, ("UPDATE ledger_entries SET key_id = :k, signature = :sig WHERE sequence = :s",
                       {"k": forger.key_id, "sig": forger.sign(target.hash), "s": target.sequence}))
    report = verdict(container)
    assert (report.fault.sequence, report.fault.code) == (target.sequence, "hash_mismatch")  # key_id is hashed
    # A forger who also recomputes the hash for their key id is still stopped: the key is not registered.
    from ledger.canonical import canonical_bytes, chain_hash
    body = canonical_bytes(target.draft, sequence=target.sequence, recorded_at=target.recorded_at,
                           key_id=forger.key_id)
    forged_hash = chain_hash(target.prev_hash, body)
    tamper(container, ("UPDATE ledger_entries SET hash = :h, signature = :sig WHERE sequence = :s",
                       {"h": forged_hash, "sig": forger.sign(forged_hash), "s": target.sequence}))
    report = verdict(container)
    assert (report.fault.sequence, report.fault.code) == (target.sequence, "unknown_key")


def test_a_foreign_signature_under_the_real_key_id_is_a_bad_signature(container):
    target = post_payments(container)[1]
    forger = Ed25519Signer.generate()
    tamper(container, ("UPDATE ledger_entries SET signature = :sig WHERE sequence = :s",
                       {"sig": forger.sign(target.hash), "s": target.sequence}))
    report = verdict(container)
    assert (report.fault.sequence, report.fault.code) == (target.sequence, "bad_signature")


def test_a_dropped_tail_is_caught_against_an_exported_checkpoint(container, tmp_path):
    entries = post_payments(container)
    exported = tmp_path / "cp.json"
    exported.write_text(container.ledger.checkpoint().to_json())
    tamper(container, *[(sql, {"s": e.sequence}) for e in entries[-2:]
                        for sql in ("DELETE FROM ledger_postings WHERE entry_sequence = :s",
                                    "DELETE FROM ledger_entries WHERE sequence = :s")])
    report = verdict(container, stored_checkpoints=False)  # the head row still names the lost last entry
    assert (report.fault.code, report.fault.sequence) == ("head_mismatch", entries[-3].sequence)
    tamper(container, ("UPDATE ledger_head SET sequence = :s, hash = :h", {"s": entries[-3].sequence,
                                                                          "h": entries[-3].hash}))
    assert verdict(container, stored_checkpoints=False).ok  # the chain alone cannot see a cut-off tail...
    report = verdict(container)  # ...the checkpoint stored with it can, and is checked by default...
    assert (report.ok, report.fault.code, report.fault.sequence) == (False, "truncated", entries[-2].sequence)
    tamper(container, ("DELETE FROM checkpoints WHERE sequence = :s", {"s": entries[-1].sequence}))
    assert verdict(container).ok  # ...unless it went too; a copy kept outside the database still catches it
    report = verdict(container, checkpoint=Checkpoint.from_json(exported.read_text()))
    assert (report.ok, report.fault.code, report.fault.sequence) == (False, "truncated", entries[-2].sequence)


def test_a_rewritten_history_no_longer_extends_the_checkpoint(container):
    entries = post_payments(container)
    cp = container.ledger.checkpoint()
    # An insider with the signing key re-signs the last entry with a new amount: chain and signatures hold.
    target = entries[-1]
    from ledger.canonical import canonical_bytes, chain_hash
    from ledger.entries import Posting as P
    import dataclasses
    changed = dataclasses.replace(target.draft, postings=(P("100-2010", D, 1, "USD"), P("100-1050", C, 1, "USD")))
    h = chain_hash(target.prev_hash, canonical_bytes(changed, sequence=target.sequence,
                                                     recorded_at=target.recorded_at, key_id=target.key_id))
    signer = container.vault.signer(target.key_id)
    tamper(container, ("UPDATE ledger_postings SET amount_minor = 1 WHERE entry_sequence = :s", {"s": target.sequence}),
           ("UPDATE ledger_entries SET hash = :h, signature = :sig WHERE sequence = :s",
            {"h": h, "sig": signer.sign(h), "s": target.sequence}),
           ("UPDATE ledger_head SET hash = :h", {"h": h}))
    assert verdict(container, stored_checkpoints=False).ok
    for report in (verdict(container), verdict(container, checkpoint=cp, stored_checkpoints=False)):
        assert (report.fault.code, report.fault.sequence) == ("checkpoint_mismatch", cp.sequence)


def test_a_keys_file_from_before_a_rotation_suffices_and_a_foreign_one_does_not(container):
    post_payments(container, 2)
    old_file = import_keys(container.ledger.export_public_keys())
    rotation = container.ledger.rotate_key()
    post_payments(container, 2)
    keys = import_keys(container.ledger.export_public_keys())
    assert export_keys(keys.values()) == container.ledger.export_public_keys()
    assert verdict(container, keys=keys).ok
    # Exported before the rotation: the co-signed rotation entry carries the trust on to the new key.
    assert verdict(container, keys=old_file).ok
    forger = Ed25519Signer.generate()
    foreign = {forger.key_id: KeyRecord(forger.key_id, forger.public_key, 1, "2026-08-01T00:00:00.000000Z")}
    report = verdict(container, keys=foreign)
    assert (report.fault.code, report.fault.sequence) == ("untrusted_key", 1)
    fingerprint = hashlib.sha256(next(iter(old_file.values())).public_key).hexdigest()
    assert verdict(container, anchor=TrustAnchor(fingerprint=fingerprint)).ok
    other = ("1" if fingerprint[0] == "0" else "0") + fingerprint[1:]
    assert verdict(container, anchor=TrustAnchor(fingerprint=other)).fault.code == "untrusted_key"
    assert rotation.sequence == 4


def test_a_key_planted_in_the_database_registry_is_named(container):
    entries = post_payments(container, 3)
    forger = Ed25519Signer.generate()
    tamper(container, ("INSERT INTO signing_keys VALUES ('ledger', :k, :p, :s, '2026-08-01T00:00:00.000000Z', "
                       ":s, '2026-08-01T00:00:00.000000Z')",
                       {"k": forger.key_id, "p": forger.public_key, "s": entries[1].sequence}))
    report = verdict(container)
    assert (report.ok, report.fault.code) == (False, "registry_mismatch")
