"""`ledger verify --since CHECKPOINT`: someone who verified the journal up to a checkpoint verifies only what came
after it, once the store is shown to still hold what the checkpoint signed (the hash of its last entry, the
Merkle root its stored hashes and block roots build, the balances its postings sum to). SQLite and PostgreSQL."""

import datetime as dt
import json

from ledger.accounts import Direction
from ledger.checkpoint import Checkpoint
from ledger.entries import EntryDraft, Posting, new_entry_id
from tests.integration.test_ledger_tampering import tamper

import main


def pay(container, n, base=100):
    drafts = [EntryDraft(new_entry_id(), dt.date(2026, 8, 1), "payment_sent",
                         (Posting("100-2010", Direction.DEBIT, base + i, "USD"),
                          Posting("100-1050", Direction.CREDIT, base + i, "USD"))) for i in range(n)]
    return [p.entry for p in container.ledger.post(drafts)]


def test_only_the_entries_after_a_trusted_checkpoint_are_verified_and_the_rest_is_checked_against_it(container):
    before = pay(container, 2100)  # two whole blocks and some
    trusted = container.ledger.checkpoint()
    pay(container, 20)
    middle = container.ledger.checkpoint()  # stored, after the trusted one: checked on the way
    after = pay(container, 30)
    full = container.ledger.verify(workers=1)
    since = container.ledger.verify(workers=1, since=trusted)
    assert full.ok and since.ok, since.describe()
    assert (since.entries_checked, since.verified_from) == (50, trusted.sequence)
    assert (since.head_sequence, since.head_hash) == (full.head_sequence, full.head_hash)
    assert since.checkpoints_checked == 1 and since.checkpoint_sequence == middle.sequence
    assert "verifies from the checkpoint at" in since.describe()

    # After the checkpoint: verified as in a full pass.
    tamper(container, ("UPDATE ledger_postings SET amount_minor = amount_minor + 1 WHERE entry_sequence = :s",
                       {"s": after[3].sequence}))
    report = container.ledger.verify(workers=1, since=trusted)
    assert (report.fault.code, report.fault.sequence) == ("hash_mismatch", after[3].sequence)
    tamper(container, ("UPDATE ledger_postings SET amount_minor = amount_minor - 1 WHERE entry_sequence = :s",
                       {"s": after[3].sequence}))
    assert container.ledger.verify(workers=1, since=trusted).ok

    # Before it: an amount no longer sums to the checkpoint's balances; a hash no longer builds its root.
    tamper(container, ("UPDATE ledger_postings SET amount_minor = amount_minor + 7 WHERE entry_sequence = :s",
                       {"s": before[500].sequence}))
    report = container.ledger.verify(workers=1, since=trusted)
    assert (report.fault.code, report.fault.sequence) == ("checkpoint_mismatch", trusted.sequence)
    assert "balances" in report.fault.detail
    assert container.ledger.verify(workers=1).fault.sequence == before[500].sequence  # a full pass names the entry
    tamper(container, ("UPDATE ledger_postings SET amount_minor = amount_minor - 7 WHERE entry_sequence = :s",
                       {"s": before[500].sequence}),
           ("UPDATE ledger_entries SET hash = prev_hash WHERE sequence = :s", {"s": before[2050].sequence}))
    report = container.ledger.verify(workers=1, since=trusted)
    assert (report.fault.code, report.fault.sequence) == ("checkpoint_mismatch", trusted.sequence)
    assert "Merkle root" in report.fault.detail


def test_a_checkpoint_not_signed_by_the_key_in_force_is_no_place_to_start(container):
    pay(container, 10)
    cp = container.ledger.checkpoint()
    forged = Checkpoint(**{**{f: getattr(cp, f) for f in Checkpoint.__slots__}, "signature": bytes(64)})
    report = container.ledger.verify(workers=1, since=forged)
    assert (report.ok, report.fault.code, report.fault.sequence) == (False, "checkpoint_mismatch", cp.sequence)


def test_the_cli_verifies_since_a_checkpoint_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DISBURSE_DATABASE_URL", f"sqlite:///{tmp_path / 'd.db'}")
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(tmp_path / "keys"))
    assert main.cli(["init", "--example"]) == 0
    anchor = capsys.readouterr().out.split("--anchor ")[1].split()[0]
    assert main.cli(["ledger", "checkpoint", "--out", str(tmp_path / "cp.json")]) == 0
    pay(main.build(), 5)
    capsys.readouterr()
    assert main.cli(["ledger", "verify", "--anchor", anchor, "--since", str(tmp_path / "cp.json"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["entries_checked"] == 5 and report["verified_from"] == json.loads(
        (tmp_path / "cp.json").read_text())["sequence"]
