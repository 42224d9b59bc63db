"""Every export in tests/data/ledger/ verified by the library as `ledger verify --file` does, against
expectations.json: the good journal (reversal, escapes, three currencies, a rotation with its co-signature, a
checkpoint taken right after the rotation) verifies from the genesis fingerprint, the current keys file, a keys
file from before the rotation, or the database's own key; each negative export is named at its sequence with
its fault code; and make_vectors.py reproduces every file byte for byte."""

import json
from pathlib import Path

import pytest

from ledger.checkpoint import Checkpoint
from ledger.export import verify_export
from ledger.keys import import_keys
from ledger.schedule import TrustAnchor
from ledger.verify import FAULT_CODES
from tests.data.ledger.make_vectors import build_files

DATA = Path(__file__).parents[2] / "data" / "ledger"
CASES = json.loads((DATA / "expectations.json").read_text())["cases"]


def anchor_of(spec):
    if "fingerprint" in spec:
        return TrustAnchor(fingerprint=spec["fingerprint"])
    if "keys" in spec:
        return TrustAnchor(keys=tuple(import_keys((DATA / spec["keys"]).read_text()).values()))
    return TrustAnchor(database=True)


def verify_case(case):
    path = DATA / case["export"]
    cps = [Checkpoint.from_json((DATA / name).read_text()) for name in case.get("checkpoints", [])]
    _meta, report = verify_export(lambda: path.open(encoding="utf-8", newline="\n"), anchor=anchor_of(case["anchor"]),
                                  checkpoints=cps, workers=1)
    return report


@pytest.mark.parametrize("case", CASES, ids=[f"{c['export']}-{next(iter(c['anchor']))}" for c in CASES])
def test_each_vector_gets_the_expected_verdict(case):
    report = verify_case(case)
    assert report.ok is case["ok"], report.describe()
    if not case["ok"]:
        assert (report.fault.code, report.fault.sequence) == (case["fault"]["code"], case["fault"]["sequence"]), \
            report.describe()
    for field in ("entries_checked", "checkpoints_checked"):
        if field in case:
            assert getattr(report, field) == case[field]


def test_there_is_a_negative_vector_for_every_fault_an_export_can_carry():
    named = {c["fault"]["code"] for c in CASES if not c["ok"]}
    # Postings live inside their entry in an export, with no idx or copied date of their own: orphan postings and
    # derived columns are faults of a database only (tests/integration/test_ledger_columns.py).
    assert named == set(FAULT_CODES) - {"orphan_postings", "derived_mismatch"}


def test_make_vectors_reproduces_every_committed_file_byte_for_byte():
    files = build_files()
    on_disk = {p.name for p in DATA.iterdir() if p.suffix in (".json", ".jsonl")}
    assert set(files) == on_disk
    for name, text in files.items():
        assert (DATA / name).read_text(encoding="utf-8") == text, name
