"""`disburse ledger verify` as an outside verifier uses it: it starts from a trust anchor kept outside the
database, checks the checkpoints stored with the journal, reads and never writes, and verifies an export
with no database at all. Worked on SQLite and PostgreSQL."""

import datetime as dt
import json
import sqlite3

import pytest
from sqlalchemy import text

import main
from ledger.accounts import Direction
from ledger.entries import EntryDraft, Posting, new_entry_id


@pytest.fixture
def env(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DISBURSE_DATABASE_URL", db_url)
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(tmp_path / "keys"))
    assert main.cli(["db", "upgrade"]) == 0
    return tmp_path


def fingerprint(capsys):
    capsys.readouterr()
    assert main.cli(["keys", "fingerprint"]) == 0
    return capsys.readouterr().out.split()[0]


def pay(n, amount=1000):
    drafts = [EntryDraft(new_entry_id(), dt.date(2026, 8, 1), "payment_sent",
                         (Posting("100-2010", Direction.DEBIT, amount + i, "USD"),
                          Posting("100-1050", Direction.CREDIT, amount + i, "USD"))) for i in range(n)]
    return main.build().ledger.post(drafts)


def verify(capsys, *args):
    capsys.readouterr()
    code = main.cli(["ledger", "verify", "--json", *args])
    out = capsys.readouterr().out
    return code, (json.loads(out) if out.strip().startswith("{") else out)


def test_a_checkpoint_taken_right_after_a_key_rotation_verifies(env, capsys):
    """Regression (issue 13, found 1): `ledger checkpoint` right after `keys rotate` signs sequence N with the
    new key, whose window starts at N + 1; the rule is that the key in force after N signs N's checkpoint."""
    assert main.cli(["init", "--example"]) == 0
    anchor = fingerprint(capsys)
    assert main.cli(["keys", "rotate"]) == 0
    assert main.cli(["ledger", "checkpoint", "--out", str(env / "at_rotation.json")]) == 0
    at_rotation = json.loads((env / "at_rotation.json").read_text())
    pay(3)
    assert main.cli(["ledger", "checkpoint", "--out", str(env / "later.json")]) == 0
    code, report = verify(capsys, "--anchor", anchor, "--checkpoint", str(env / "at_rotation.json"),
                          "--checkpoint", str(env / "later.json"))
    assert code == 0 and report["ok"], report
    assert report["checkpoints_checked"] == 2 and report["checkpoint_sequence"] == at_rotation["sequence"] + 3
    with main.build().uow(read_only=True) as uow:
        rotation = uow.ledger_queries.list_entries(code="key_rotated")[0]
    assert at_rotation["sequence"] == rotation.sequence and at_rotation["key_id"] == rotation.draft.data["key_id"]


def test_without_a_trust_anchor_verify_refuses_and_says_which_to_give(env, capsys):
    main.cli(["init"])
    capsys.readouterr()
    assert main.cli(["ledger", "verify"]) == 2
    err = capsys.readouterr().err
    assert "no_trust_anchor" in err and "--anchor" in err and "--trust-database" in err
    assert main.cli(["ledger", "verify", "--anchor", "00" * 32, "--trust-database"]) == 2
    assert "conflicting_trust_anchors" in capsys.readouterr().err
    assert main.cli(["ledger", "verify", "--keys", str(env / "nowhere.json")]) == 2
    assert "file_not_readable" in capsys.readouterr().err


def test_a_database_rewritten_with_its_own_key_fails_against_the_anchor_and_passes_only_on_trust(env, capsys):
    main.cli(["init"])
    code, report = verify(capsys, "--anchor", "ab" * 32)
    assert code == 1 and (report["fault"]["code"], report["fault"]["sequence"]) == ("untrusted_key", 1)
    code, report = verify(capsys, "--trust-database")
    assert code == 0 and "--trust-database" in report["trust"]


def test_a_verifier_never_writes_not_even_key_files_in_an_empty_key_directory(env, capsys, monkeypatch):
    assert main.cli(["init", "--example"]) == 0
    anchor = fingerprint(capsys)
    empty = env / "empty-keys"
    empty.mkdir()
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(empty))
    code, report = verify(capsys, "--anchor", anchor)
    assert code == 0 and report["ok"]
    assert list(empty.iterdir()) == []  # no master.key, no data_keys.json
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(env / "never-made"))
    assert verify(capsys, "--anchor", anchor)[0] == 0
    assert not (env / "never-made").exists()


def test_a_missing_sqlite_database_is_refused_not_created(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DISBURSE_DATABASE_URL", f"sqlite:///{tmp_path / 'nothing.db'}")
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(tmp_path / "keys"))
    with pytest.raises(SystemExit) as stop:
        main.cli(["ledger", "verify", "--trust-database"])
    assert "no database" in str(stop.value.code)
    assert list(tmp_path.iterdir()) == []


def test_orphan_postings_are_a_fault_not_a_traceback(env, capsys):
    main.cli(["init", "--example"])
    c = main.build()
    with c.engine.connect() as conn:
        last = conn.execute(text("SELECT max(sequence) FROM ledger_entries")).scalar_one()
    orphan = "INSERT INTO ledger_postings VALUES (%d, 0, '100-1010', 'debit', 5, 'USD', '2026-08-01')" % (last + 5)
    if c.engine.dialect.name == "sqlite":  # foreign keys can only be switched off outside a transaction
        raw = sqlite3.connect(c.engine.url.database, isolation_level=None)
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute(orphan)
        raw.close()
    else:
        with c.engine.begin() as conn:
            conn.execute(text("SET session_replication_role = replica"))  # as an insider skipping triggers
            conn.execute(text(orphan))
    code, report = verify(capsys, "--trust-database")
    assert code == 1 and (report["fault"]["code"], report["fault"]["sequence"]) == ("orphan_postings", last + 5)


def test_the_export_verifies_without_a_database_and_an_edited_export_is_named(env, capsys, tmp_path):
    main.cli(["init", "--example"])
    anchor = fingerprint(capsys)
    main.cli(["keys", "rotate"])
    main.cli(["ledger", "checkpoint"])
    pay(2)
    export = tmp_path / "journal.jsonl"
    assert main.cli(["ledger", "export", "--out", str(export)]) == 0
    lines = export.read_text(encoding="utf-8").splitlines()
    header, end = json.loads(lines[0]), json.loads(lines[-1])
    assert header["format"] == "disburse-ledger-export/1" and end["type"] == "end"
    code, report = verify(capsys, "--file", str(export), "--anchor", anchor)
    assert code == 0 and report["entries_checked"] == end["entries"] and report["checkpoints_checked"] == 1
    # An amount edited in the file, both sides, still balanced: the entry's hash no longer matches.
    entry = next(i for i, line in enumerate(lines) if '"code":"payment_sent"' in line)
    obj = json.loads(lines[entry])
    for p in obj["postings"]:
        p["amount_minor"] += 1
    edited = tmp_path / "edited.jsonl"
    edited.write_text("\n".join(lines[:entry] + [json.dumps(obj, ensure_ascii=False)] + lines[entry + 1:]) + "\n",
                      encoding="utf-8")
    code, report = verify(capsys, "--file", str(edited), "--anchor", anchor)
    assert code == 1 and report["fault"]["sequence"] == obj["sequence"]
    assert report["fault"]["code"] in ("canonical_mismatch", "hash_mismatch")
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join(lines[:3] + ["{not json"] + lines[4:]) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main.cli(["ledger", "verify", "--file", str(broken), "--anchor", anchor]) == 2
    err = capsys.readouterr().err
    assert "invalid_export" in err and "line 4" in err


def node_verify(*args):
    """The JavaScript verifier on the same files (skipped where Node is absent, mandatory in CI)."""
    from tests.unit.ledger.test_js_verifier import run_js
    code, out, err = run_js(*args, "--json", cwd=ROOT)
    return code, json.loads(out) if out.strip() else err


ROOT = __import__("pathlib").Path(__file__).parents[2]


def test_a_proof_of_one_payment_checks_out_in_both_verifiers_and_an_edited_one_does_not(env, capsys):
    main.cli(["init", "--example"])
    main.cli(["keys", "rotate"])
    assert main.cli(["ledger", "checkpoint", "--out", str(env / "old.json")]) == 0
    paid = pay(3)[1].entry
    capsys.readouterr()
    assert main.cli(["ledger", "prove", paid.id]) == 2  # no checkpoint covers it yet
    assert "checkpoint_does_not_cover_entry" in capsys.readouterr().err
    assert main.cli(["ledger", "checkpoint"]) == 0
    assert main.cli(["ledger", "prove", paid.id, "--out", str(env / "proof.json")]) == 0
    bundle = json.loads((env / "proof.json").read_text())
    assert bundle["entry"]["id"] == paid.id and bundle["tree_size"] == paid.sequence + 1
    code, report = verify(capsys, "--proof", str(env / "proof.json"), "--public-key", bundle["public_key"])
    assert code == 0 and report["ok"] and report["sequence"] == paid.sequence
    assert node_verify("--proof", env / "proof.json", "--public-key", bundle["public_key"])[0] == 0
    bundle["entry"]["postings"][0]["amount_minor"] += 100  # the vendor's amount, edited
    (env / "edited.json").write_text(json.dumps(bundle))
    code, report = verify(capsys, "--proof", str(env / "edited.json"))
    assert code == 1 and report["fault"]["code"] == "canonical_mismatch"
    assert node_verify("--proof", env / "edited.json")[1]["fault"]["code"] == "canonical_mismatch"
    # The journal at the new checkpoint extends the one at the old: a consistency proof, checked twice.
    assert main.cli(["ledger", "prove", "--consistency", str(env / "old.json"), "--out", str(env / "c.json")]) == 0
    code, report = verify(capsys, "--consistency", str(env / "c.json"))
    assert code == 0 and report["checkpoint_sequence"] == paid.sequence + 1
    assert node_verify("--consistency", env / "c.json")[0] == 0


def test_a_proof_against_a_checkpoint_the_journal_no_longer_extends_is_refused(env, capsys):
    main.cli(["init", "--example"])
    assert main.cli(["ledger", "checkpoint", "--out", str(env / "cp.json")]) == 0
    cp = json.loads((env / "cp.json").read_text())
    cp["merkle_root"] = "00" * 32
    (env / "other.json").write_text(json.dumps(cp))
    with main.build().uow(read_only=True) as uow:
        first = uow.ledger_queries.list_entries(limit=2)[1]
    capsys.readouterr()
    assert main.cli(["ledger", "prove", first.id, "--checkpoint", str(env / "other.json")]) == 2
    assert "journal_does_not_extend_checkpoint" in capsys.readouterr().err


def test_init_prints_the_genesis_fingerprint_that_verify_then_takes_as_its_anchor(env, capsys):
    capsys.readouterr()
    assert main.cli(["init"]) == 0
    out = capsys.readouterr().out
    printed = out.split("verify with: disburse ledger verify --anchor ")[1].split()[0]
    assert printed == fingerprint(capsys) and f"  {printed}\n" in out
    assert verify(capsys, "--anchor", printed)[0] == 0
    assert main.cli(["init"]) == 0 and "fingerprint" not in capsys.readouterr().out  # printed once, at creation
