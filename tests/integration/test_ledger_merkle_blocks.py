"""The Merkle roots of whole blocks of 1,024 entries, kept for fast proofs (migration 0022_merkle_blocks), are
derived data that verify recomputes: a checkpoint stores the missing ones, a proof built from them checks in
both verifiers, and an edited or invented block root is named (derived_mismatch) by verify and refused by prove.
SQLite and PostgreSQL."""

import datetime as dt
import json

from sqlalchemy import text

from ledger.accounts import Direction
from ledger.entries import EntryDraft, Posting, new_entry_id
from ledger.proofs import check_inclusion
from payments.ledger_proofs import LedgerProofs
from tests.integration.test_ledger_tampering import tamper
from tests.unit.ledger.test_js_verifier import run_js


def pay(container, n):
    drafts = [EntryDraft(new_entry_id(), dt.date(2026, 8, 1), "payment_sent",
                         (Posting("100-2010", Direction.DEBIT, 100 + i, "USD"),
                          Posting("100-1050", Direction.CREDIT, 100 + i, "USD"))) for i in range(n)]
    return [p.entry for p in container.ledger.post(drafts)]


def blocks(container):
    with container.engine.connect() as conn:
        return dict(conn.execute(text("SELECT block, root FROM merkle_blocks WHERE journal = 'ledger'")).all())


def test_block_roots_are_stored_used_for_proofs_and_checked_by_verify(container, tmp_path):
    entries = pay(container, 2100)  # with the genesis: 2,101 entries, two whole blocks
    assert blocks(container) == {}
    container.ledger.checkpoint()
    assert sorted(blocks(container)) == [0, 1]
    target = entries[1500]
    bundle = LedgerProofs(container.uow).inclusion(target.id)
    assert check_inclusion(json.loads(bundle)).ok
    (tmp_path / "proof.json").write_text(bundle)
    assert run_js("--proof", tmp_path / "proof.json", cwd=tmp_path)[0] == 0
    assert container.ledger.verify(workers=1).ok

    tamper(container, ("UPDATE merkle_blocks SET root = :r WHERE block = 1", {"r": b"\x00" * 32}))
    report = container.ledger.verify(workers=1)
    assert (report.fault.code, report.fault.sequence) == ("derived_mismatch", 1025)
    try:
        LedgerProofs(container.uow).inclusion(target.id)
    except Exception as exc:  # noqa: BLE001 - the refusal's code is the point
        assert getattr(exc, "code", None) == "journal_does_not_extend_checkpoint"
    else:
        raise AssertionError("a proof was built from an edited block root")


def test_a_block_root_for_entries_the_journal_does_not_hold_is_named(container):
    pay(container, 1100)
    container.ledger.checkpoint()
    tamper(container, ("INSERT INTO merkle_blocks VALUES ('ledger', 7, :r)", {"r": b"\x01" * 32}))
    report = container.ledger.verify(workers=1)
    assert (report.fault.code, report.fault.sequence) == ("derived_mismatch", 7 * 1024 + 1)


def test_an_auditor_gets_an_entrys_proof_over_http(container, tmp_path):
    from fastapi.testclient import TestClient

    import main
    from payments.identity import Role
    from tests.e2e.people import People

    entry = pay(container, 3)[1]
    with TestClient(main.create_app(container), base_url="https://testserver") as client:
        auditor = People(container).headers("proof-auditor", Role.AUDITOR)
        early = client.get(f"/v1/ledger/entries/{entry.id}/proof", headers=auditor)
        assert (early.status_code, early.json()["code"]) == (409, "checkpoint_does_not_cover_entry")
        container.ledger.checkpoint()
        r = client.get(f"/v1/ledger/entries/{entry.id}/proof", headers=auditor)
        assert r.status_code == 200 and check_inclusion(r.json()).ok
        assert client.get("/v1/ledger/entries/je_01JZ0000000000000000000000/proof", headers=auditor).status_code == 404
