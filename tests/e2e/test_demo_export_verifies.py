"""The journal `disburse demo` leaves behind, exported as one file, verifies in both verifiers from the genesis
fingerprint alone (no database): the library's `ledger verify --file` and the JavaScript verifier. A proof of
one of the demo's payments, from its latest checkpoint, checks out in both."""

from __future__ import annotations

import json

import main
from tests.unit.ledger.test_js_verifier import run_js


def test_the_demo_export_and_a_payment_proof_verify_in_python_and_javascript(tmp_path, capsys, monkeypatch):
    work = tmp_path / "demo"
    assert main.cli(["demo", "--dir", str(work)]) == 0
    monkeypatch.setenv("DISBURSE_DATABASE_URL", f"sqlite:///{work / 'demo.db'}")
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(work / "keys"))
    capsys.readouterr()
    assert main.cli(["keys", "fingerprint"]) == 0
    anchor = capsys.readouterr().out.split()[0]
    export = tmp_path / "demo.jsonl"
    assert main.cli(["ledger", "export", "--out", str(export)]) == 0
    capsys.readouterr()
    assert main.cli(["ledger", "verify", "--file", str(export), "--anchor", anchor, "--json"]) == 0
    python = json.loads(capsys.readouterr().out)
    code, out, err = run_js(export, "--anchor", anchor, "--json", cwd=tmp_path)
    assert code == 0, err
    javascript = json.loads(out)
    assert python["ok"] and javascript["ok"]
    for field in ("entries_checked", "head_sequence", "head_hash", "checkpoints_checked"):
        assert python[field] == javascript[field], field
    assert python["entries_checked"] > 20

    assert main.cli(["ledger", "checkpoint"]) == 0
    with main.build().uow(read_only=True) as uow:
        payment = uow.ledger_queries.list_entries(code="payment_sent", limit=1)[0]
    assert main.cli(["ledger", "prove", payment.id, "--out", str(tmp_path / "proof.json")]) == 0
    capsys.readouterr()
    assert main.cli(["ledger", "verify", "--proof", str(tmp_path / "proof.json")]) == 0
    assert run_js("--proof", tmp_path / "proof.json", cwd=tmp_path)[0] == 0
