"""The second verifier, verifiers/js/verify.js (Node's standard library only, written from
docs/ledger-format.md), gives every verdict of tests/data/ledger/expectations.json, as the library does:
two implementations agreeing is the evidence that the format, not our code, defines the truth.

Skipped, saying why, where Node is not installed; in CI (CI=true) a missing Node fails instead."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[3]
DATA = ROOT / "tests" / "data" / "ledger"
VERIFY_JS = ROOT / "verifiers" / "js" / "verify.js"
CASES = json.loads((DATA / "expectations.json").read_text())["cases"]


def node_or_skip() -> str:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is not installed, and CI requires the JavaScript verifier to run")
        pytest.skip("node is not installed: the JavaScript verifier cannot run here (CI runs it)")
    return node


def run_js(*args, cwd=DATA):
    done = subprocess.run([node_or_skip(), str(VERIFY_JS), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


def anchor_args(spec):
    if "fingerprint" in spec:
        return ["--anchor", spec["fingerprint"]]
    if "keys" in spec:
        return ["--keys", spec["keys"]]
    return ["--trust-database"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['export']}-{next(iter(c['anchor']))}" for c in CASES])
def test_the_javascript_verifier_gives_every_expected_verdict(case):
    extra = [a for cp in case.get("checkpoints", []) for a in ("--checkpoint", cp)]
    code, out, err = run_js(case["export"], *anchor_args(case["anchor"]), *extra, "--json")
    assert code == (0 if case["ok"] else 1), err
    report = json.loads(out)
    assert report["ok"] is case["ok"]
    if not case["ok"]:
        assert (report["fault"]["code"], report["fault"]["sequence"]) == (case["fault"]["code"],
                                                                         case["fault"]["sequence"])
    for field in ("entries_checked", "checkpoints_checked"):
        if field in case:
            assert report[field] == case[field]


def test_without_a_trust_anchor_it_refuses_with_exit_2():
    code, _out, err = run_js("journal.jsonl")
    assert code == 2 and "no_trust_anchor" in err


def test_a_malformed_export_is_refused_with_its_line(tmp_path):
    lines = (DATA / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join(lines[:5] + ['{"type":"entry"}'] + lines[6:]) + "\n", encoding="utf-8")
    code, _out, err = run_js(broken, "--trust-database")
    assert code == 2 and "invalid_export" in err and "line 6" in err
    broken.write_bytes((DATA / "journal.jsonl").read_bytes().replace(b"Paiement", b"Pai\xffment"))
    code, _out, err = run_js(broken, "--trust-database")
    assert code == 2 and "not UTF-8" in err


PROOFS = json.loads((DATA / "expectations.json").read_text())["proofs"]


@pytest.mark.parametrize("case", PROOFS, ids=[f"{c['bundle']}-{len(c.get('public_keys', []))}" for c in PROOFS])
def test_the_javascript_verifier_checks_every_proof_bundle(case):
    mode = "--proof" if case["kind"] == "inclusion" else "--consistency"
    keys = [a for k in case.get("public_keys", []) for a in ("--public-key", k)]
    code, out, err = run_js(mode, case["bundle"], *keys, "--json")
    assert code == (0 if case["ok"] else 1), err
    report = json.loads(out)
    assert report["ok"] is case["ok"] and (case["ok"] or report["fault"]["code"] == case["fault"])
