"""Publishing checkpoints (issue 13): with DISBURSE_PUBLICATION_DIR set, the scheduled checkpoint job and
`disburse ledger checkpoint` also write each checkpoint and the public keys to that folder. An insider who then
cuts the journal back and deletes the stored checkpoints too still loses to anyone holding a published one,
in the library's verifier and in the JavaScript one."""

import datetime as dt
import json
import sqlite3

import main
from ledger.accounts import Direction
from ledger.entries import EntryDraft, Posting, new_entry_id
from tests.unit.ledger.test_js_verifier import run_js


def run_job(name):
    (job,) = [j for j in main.jobs(main.build()) if j.name == name]
    return job.body()


def test_published_checkpoints_catch_a_journal_cut_back_behind_them(tmp_path, monkeypatch, capsys):
    db, pub = tmp_path / "d.db", tmp_path / "public"
    monkeypatch.setenv("DISBURSE_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("DISBURSE_PUBLICATION_DIR", str(pub))
    assert main.cli(["init", "--example"]) == 0
    anchor = capsys.readouterr().out.split("--anchor ")[1].split()[0]
    first = run_job("ledger_checkpoint")
    assert json.loads((pub / "ledger-checkpoint-latest.json").read_text())["sequence"] == first.sequence
    assert json.loads((pub / "ledger-keys.json").read_text())["format"] == "disburse-ledger-keys/1"
    main.build().ledger.post([EntryDraft(new_entry_id(), dt.date(2026, 8, 1), "payment_sent",
                                         (Posting("100-2010", Direction.DEBIT, 500 + i, "USD"),
                                          Posting("100-1050", Direction.CREDIT, 500 + i, "USD"))) for i in range(3)])
    assert main.cli(["ledger", "checkpoint"]) == 0  # by hand this time: published all the same
    second = json.loads((pub / "ledger-checkpoint-latest.json").read_text())
    assert second["sequence"] == first.sequence + 3
    assert (pub / f"ledger-checkpoint-{first.sequence}.json").exists()

    # The insider cuts the last two payments, mends the head and deletes the stored checkpoints.
    raw = sqlite3.connect(db, isolation_level=None)
    for t in ("ledger_entries", "ledger_postings", "checkpoints"):
        raw.execute(f"DROP TRIGGER IF EXISTS {t}_no_delete")
    keep = second["sequence"] - 2
    raw.execute("DELETE FROM ledger_postings WHERE entry_sequence > ?", (keep,))
    raw.execute("DELETE FROM ledger_entries WHERE sequence > ?", (keep,))
    raw.execute("UPDATE ledger_head SET sequence = ?, hash = (SELECT hash FROM ledger_entries WHERE sequence = ?)",
                (keep, keep))
    raw.execute("DELETE FROM checkpoints")
    raw.close()
    capsys.readouterr()
    assert main.cli(["ledger", "verify", "--anchor", anchor]) == 0  # the database alone no longer knows
    published = pub / f"ledger-checkpoint-{second['sequence']}.json"
    capsys.readouterr()
    assert main.cli(["ledger", "verify", "--anchor", anchor, "--checkpoint", str(published), "--json"]) == 1
    fault = json.loads(capsys.readouterr().out)["fault"]
    assert (fault["code"], fault["sequence"]) == ("truncated", keep + 1)
    assert main.cli(["ledger", "export", "--out", str(tmp_path / "cut.jsonl")]) == 0
    code, out, _err = run_js(tmp_path / "cut.jsonl", "--anchor", anchor, "--checkpoint", published, "--json",
                             cwd=tmp_path)
    assert code == 1 and json.loads(out)["fault"]["code"] == "truncated"
