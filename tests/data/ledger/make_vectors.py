"""Regenerate the ledger test vectors: `python tests/data/ledger/make_vectors.py` (the output must not change).

The single source of every file in tests/data/ledger/: the canonical-encoding vectors (vectors.json), a full
journal export with a reversal, escaped and non-ASCII strings, several currencies, a key rotation with its
co-signature and two checkpoints (journal.jsonl, keys files, checkpoint files), and one negative export per
fault code (fault_*.jsonl). expectations.json says what a verifier must answer for each; both verifiers (the
library and verifiers/js) are held to it. Keys come from fixed seeds and Ed25519 is deterministic, so every
byte is reproducible.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from ledger.canonical import GENESIS_PREV_HASH, canonical_bytes, encode_json  # noqa: E402
from ledger.checkpoint import BalanceTally, Checkpoint  # noqa: E402
from ledger.entries import EntryDraft  # noqa: E402
from ledger.export import export_lines  # noqa: E402
from ledger.keys import KeyRecord, export_keys  # noqa: E402
from ledger.merkle import merkle_root  # noqa: E402
from ledger.proofs import LeafRoots, consistency_bundle, inclusion_bundle  # noqa: E402
from ledger.schedule import derive_schedule, fingerprint  # noqa: E402
from ledger.signing import Ed25519Signer  # noqa: E402
from ledger.verify_chunk import canonical_from_parsed  # noqa: E402

HERE = Path(__file__).parent
SEED = bytes(range(32))
K1 = Ed25519Signer.from_seed(SEED)
K2 = Ed25519Signer.from_seed(bytes(range(32, 64)))
FORGER = Ed25519Signer.from_seed(bytes(range(64, 96)))
EXPORTED_AT = "2026-07-02T18:00:00.000000Z"


def build() -> dict:
    """vectors.json: canonical bytes, hash and signature of three entries, each step spelled out."""
    drafts = [
        EntryDraft("je_01JZ0000000000000000000001", dt.date(2026, 7, 1), "ledger_genesis", (),
                   memo="Disburse journal genesis", data={"key_id": K1.key_id, "public_key": K1.public_key.hex()}),
        EntryDraft("je_01JZ0000000000000000000002", dt.date(2026, 7, 1), "opening_balance",
                   (_p("100-1010", "debit", 1250000000, "USD"), _p("100-3010", "credit", 1250000000, "USD")),
                   memo="General Fund opening balance", references={"fund": "100"}),
        EntryDraft("je_01JZ0000000000000000000003", dt.date(2026, 7, 2), "payment_sent",
                   (_p("100-2010", "debit", 1234567, "USD"), _p("100-1050", "credit", 1234567, "USD")),
                   memo="Paiement à Société Générale — ünïcödé stays as is",
                   references={"invoice": "inv_01JZ00000000000000000000AA", "payment": "pay_01JZ00000000000000000000BB"},
                   data={"trace_number": "231380100000001"}),
    ]
    prev, vectors = GENESIS_PREV_HASH, []
    for seq, draft in enumerate(drafts, start=1):
        body = canonical_bytes(draft, sequence=seq, recorded_at="2026-07-01T09:30:00.000000Z", key_id=K1.key_id)
        digest = hashlib.sha256(b"\x01" + prev + body).digest()
        vectors.append({"sequence": seq, "canonical_utf8": body.decode("utf-8"), "prev_hash": prev.hex(),
                        "hash": digest.hex(), "signature": K1.sign(digest).hex()})
        prev = digest
    return {"description": "Disburse ledger canonical encoding v1 test vectors; see docs/ledger-format.md",
            "ed25519_seed": SEED.hex(), "public_key": K1.public_key.hex(), "key_id": K1.key_id,
            "version_byte": "01", "entries": vectors}


def _p(account: str, direction: str, amount: int, currency: str):  # noqa: ANN202
    from ledger.accounts import Direction
    from ledger.entries import Posting
    return Posting(account, Direction(direction), amount, currency)


# -- journals as rows (ledger.verify_chunk's layout), sealed here by hand -------------------------------------

def eid(n: int) -> str:
    return f"je_01JZ{n:022d}"


def entry(n: int, code: str, legs=(), *, memo: str = "", refs=None, data=None, reverses=None,  # noqa: ANN001
          date: str = "2026-07-01") -> dict:
    return {"id": eid(n), "effective_date": date, "recorded_at": f"2026-07-01T09:{30 + n:02d}:00.000000Z",
            "code": code, "memo": memo, "references": refs or {}, "data": data or {}, "reverses": reverses,
            "legs": tuple(legs)}


def seal(seq: int, prev: bytes, e: dict, signer: Ed25519Signer, *, cosigner: Ed25519Signer | None = None,
         key_id: str | None = None) -> tuple:
    row = [seq, e["id"], e["effective_date"], e["recorded_at"], e["code"], e["memo"], e["references"], e["data"],
           e["reverses"], key_id or signer.key_id, prev, b"", b"", None, e["legs"]]
    digest = hashlib.sha256(b"\x01" + prev + canonical_from_parsed(row, e["references"], e["data"])).digest()
    row[11], row[12] = digest, signer.sign(digest)
    row[13] = cosigner.sign(digest) if cosigner else None
    return tuple(row)


def chain(entries: list[tuple[dict, Ed25519Signer, Ed25519Signer | None]]) -> list[tuple]:
    rows, prev = [], GENESIS_PREV_HASH
    for seq, (e, signer, cosigner) in enumerate(entries, start=1):
        rows.append(seal(seq, prev, e, signer, cosigner=cosigner))
        prev = rows[-1][11]
    return rows


def genesis(signer: Ed25519Signer = K1, **extra: str) -> dict:
    return entry(1, "ledger_genesis", memo="Disburse journal genesis",
                 data={"key_id": signer.key_id, "public_key": signer.public_key.hex(), **extra})


def rotation(n: int, old: Ed25519Signer, new: Ed25519Signer, legs=(), previous: str | None = None) -> dict:  # noqa: ANN001
    return entry(n, "key_rotated", legs, memo="signing key rotated",
                 data={"previous_key_id": previous or old.key_id, "key_id": new.key_id,
                       "public_key": new.public_key.hex()})


D, C = "debit", "credit"
OPENING = entry(2, "opening_balance", [("100-1010", D, 1250000000, "USD"), ("100-3010", C, 1250000000, "USD")],
                memo="General Fund opening balance", refs={"fund": "100"})
CURRENCIES = entry(3, "opening_balance", [("100-1010", D, 500000, "EUR"), ("100-3010", C, 500000, "EUR"),
                                          ("100-1010", D, 1200000, "JPY"), ("100-3010", C, 1200000, "JPY")],
                   memo="Grant accounts held in euros and yen", refs={"fund": "100"})
PAYMENT = entry(4, "payment_sent", [("100-2010", D, 1234567, "USD"), ("100-1050", C, 1234567, "USD")],
                memo="Paiement à Société Générale — ünïcödé stays as is", date="2026-07-02",
                refs={"invoice": "inv_01JZ00000000000000000000AA", "payment": "pay_01JZ00000000000000000000BB"},
                data={"trace_number": "231380100000001"})
REVERSAL = entry(5, "reversal", [("100-2010", C, 1234567, "USD"), ("100-1050", D, 1234567, "USD")],
                 memo=f"reversal of {eid(4)}", refs=PAYMENT["references"], reverses=eid(4), date="2026-07-02")
ESCAPES = entry(6, "invoice_approved", [("100-5000", D, 99, "USD"), ("100-2010", C, 99, "USD")],
                memo='quote " backslash \\ newline \n tab \t bell \u0007 unit-sep \u001f del \u007f '
                     'line-sep \u2028 euro-sign 💶 kanji 請求書',
                refs={"invoice": "inv_Ωμέγα-№7"},
                data={"\ue000": "a private-use key sorts before an astral one by code point",
                      "😀": "but after it by UTF-16 code unit", "é": "e-acute", "zeta": "",
                      "nested": {"list": [1, -2, 9007199254740993, True, False, None, "x", []], "empty": {}},
                      "big": 123456789012345678901234567890, "zero": 0})
SETTLED = entry(8, "payment_settled", [("100-1050", D, 1234567, "USD"), ("100-1010", C, 1234567, "USD")],
                memo="settled", refs={"payment": "pay_01JZ00000000000000000000CC"}, date="2026-07-03")
INTEREST = entry(9, "interest_owed", [("100-5100", D, 1, "USD"), ("100-2010", C, 1, "USD")],
                 memo="prompt-pay interest, one cent", data={"rate": "0.0425", "days": 3})

GOOD = [(genesis(), K1, None), (OPENING, K1, None), (CURRENCIES, K1, None), (PAYMENT, K1, None),
        (REVERSAL, K1, None), (ESCAPES, K1, None), (rotation(7, K1, K2), K1, K2), (SETTLED, K2, None),
        (INTEREST, K2, None)]
BASE = GOOD[:4]


def registry(rows: list[tuple]) -> list:
    return derive_schedule((r[0], r[4], r[9], r[3], r[7]) for r in rows if r[4] in ("ledger_genesis", "key_rotated"))


def checkpoint(rows: list[tuple], sequence: int, signer: Ed25519Signer, *, created_at: str,
               balances: bytes | None = None) -> Checkpoint:
    tally = BalanceTally()
    tally.merge(_totals(rows[:sequence]))
    return Checkpoint("ledger", sequence, rows[sequence - 1][11], merkle_root([r[11] for r in rows[:sequence]]),
                      balances or tally.digest(), created_at, signer.key_id).signed_by(signer)


def _totals(rows: list[tuple]) -> dict:
    totals: dict = {}
    for r in rows:
        for a, d, m, c in r[14]:
            sides = totals.setdefault((a, c), [0, 0])
            sides[0 if d == D else 1] += m
    return totals


def export(rows: list[tuple], *, keys=None, checkpoints=(), head=None, end: bool = True) -> str:  # noqa: ANN001
    lines = list(export_lines("ledger", EXPORTED_AT, registry(rows) if keys is None else keys, checkpoints, rows,
                              head or ((rows[-1][0], rows[-1][11]) if rows else (0, GENESIS_PREV_HASH))))
    return "".join(lines if end else lines[:-1])


def _replace_line(text: str, sequence: int, **changes: object) -> str:
    out = []
    for line in text.splitlines(keepends=True):
        obj = json.loads(line)
        if obj.get("type") == "entry" and obj["sequence"] == sequence:
            obj.update(changes)
            line = encode_json(obj).decode("utf-8") + "\n"
        out.append(line)
    return "".join(out)


def with_entry(base: list, index: int, e: dict, signer: Ed25519Signer = K1, cosigner=None) -> list[tuple]:  # noqa: ANN001
    entries = list(base)
    entries[index] = (e, signer, cosigner)
    return chain(entries)


def negative_vectors() -> dict[str, tuple[str, dict]]:
    """One export per fault code: {file: (text, expectation)}."""
    base = chain(BASE)
    out: dict[str, tuple[str, dict]] = {}

    def fault(name: str, text: str, code: str, sequence: int, **kw: object) -> None:
        out[f"fault_{name}.jsonl"] = (text, {"fault": {"code": code, "sequence": sequence}, **kw})

    gap = chain(BASE + [(entry(5, "payment_sent", PAYMENT["legs"], memo="second payment"), K1, None)])
    fault("sequence_gap", export(gap[:2] + gap[3:], keys=registry(gap)), "sequence_gap", 3)
    fault("float_in_entry", export(with_entry(BASE, 3, {**PAYMENT, "data": {"rate": 1.5}})), "float_in_entry", 4)
    fault("canonical_mismatch", _replace_line(export(base), 4, canonical=canonical_from_parsed(
        base[3][:5] + ("a different memo",) + base[3][6:], PAYMENT["references"], PAYMENT["data"]).decode("utf-8")),
        "canonical_mismatch", 4)
    edited = list(base)  # an amount changed on both sides, still balanced, not re-signed
    edited[2] = base[2][:14] + ((("100-1010", D, 500001, "EUR"), ("100-3010", C, 500001, "EUR"))
                                + CURRENCIES["legs"][2:],)
    fault("hash_mismatch", export(edited), "hash_mismatch", 3)
    fault("invalid_field", export(with_entry(BASE, 3, {**PAYMENT, "effective_date": "2026-02-30"})), "invalid_field", 4)
    bogus = (PAYMENT["legs"][0], ("100-1050", "bogus", 1234567, "USD"))
    fault("invalid_posting", export(with_entry(BASE, 3, {**PAYMENT, "legs": bogus})), "invalid_posting", 4)
    rot = rotation(5, K1, K2, legs=[("100-1010", D, 1, "USD"), ("100-3010", C, 1, "USD")])
    fault("system_entry_with_postings", export(chain(BASE + [(rot, K1, K2)])), "system_entry_with_postings", 5)
    short = (PAYMENT["legs"][0], ("100-1050", C, 1234566, "USD"))
    fault("unbalanced", export(with_entry(BASE, 3, {**PAYMENT, "legs": short})), "unbalanced", 4)
    cosigned = chain(BASE)
    fault("unexpected_cosignature", _replace_line(export(cosigned), 4, cosignature=K2.sign(cosigned[3][11]).hex()),
          "unexpected_cosignature", 4)
    fault("bad_genesis", export(with_entry(BASE, 0, genesis(note="an extra field"))), "bad_genesis", 1)
    rot = rotation(5, K1, K2, previous="k_0000000000000000")
    fault("bad_rotation", export(chain(BASE + [(rot, K1, K2)])), "bad_rotation", 5)
    forged = chain(BASE)
    forged[3] = seal(4, forged[2][11], PAYMENT, FORGER)
    fault("unknown_key", export(forged, keys=registry(base)), "unknown_key", 4)
    flipped = bytes([base[3][12][0] ^ 1]) + base[3][12][1:]
    fault("bad_signature", _replace_line(export(base), 4, signature=flipped.hex()), "bad_signature", 4)
    no_cosig = chain(BASE + [(rotation(5, K1, K2), K1, None)])
    fault("bad_signature_missing_cosignature", export(no_cosig), "bad_signature", 5)
    fault("untrusted_key", export(base), "untrusted_key", 1, anchor={"fingerprint": fingerprint(K2.public_key)})
    planted = registry(base) + [KeyRecord(FORGER.key_id, FORGER.public_key, 3, "2026-07-01T09:33:00.000000Z", 3,
                                          "2026-07-01T09:33:00.000000Z")]
    fault("registry_mismatch", export(base, keys=planted), "registry_mismatch", 2)
    fault("truncated", export(base, end=False), "truncated", 5)
    fault("truncated_before_checkpoint", export(base[:3], checkpoints=[
        checkpoint(base, 4, K1, created_at="2026-07-02T00:00:00.000000Z")]), "truncated", 4)
    fault("head_mismatch", export(base, head=(4, base[2][11])), "head_mismatch", 4)
    back = chain(BASE[:2] + [(rotation(3, K1, K2), K1, K2), (rotation(4, K2, K1), K2, K1)])
    fault("bad_rotation_reused_key", export(back, keys=registry(back[:3])), "bad_rotation", 4)
    wrong = hashlib.sha256(b"not the balances").digest()
    fault("checkpoint_mismatch", export(base, checkpoints=[
        checkpoint(base, 3, K1, created_at="2026-07-02T00:00:00.000000Z", balances=wrong)]), "checkpoint_mismatch", 3)
    return out


def proof_vectors(good: list[tuple], cp_rotation: Checkpoint, cp_head: Checkpoint, files: dict) -> list[dict]:
    """Inclusion and consistency bundles (section 10), good and bad, written into ``files``."""
    roots = LeafRoots([r[11] for r in good])
    cp_early = checkpoint(good, 4, K1, created_at="2026-07-01T09:34:30.000000Z")
    k1, k2 = K1.public_key.hex(), K2.public_key.hex()
    files["proof_entry4.json"] = inclusion_bundle(good[3], cp_head, K2.public_key, roots)
    files["proof_entry1_at_rotation.json"] = inclusion_bundle(good[0], cp_rotation, K2.public_key, roots)
    files["proof_entry9.json"] = inclusion_bundle(good[8], cp_head, K2.public_key, roots)
    bad = json.loads(files["proof_entry4.json"])
    bad["audit_path"][1] = hashlib.sha256(b"another subtree").hexdigest()
    files["proof_bad_path.json"] = json.dumps(bad, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    moved = json.loads(files["proof_entry4.json"])
    moved["entry"]["memo"] = "a different memo"
    files["proof_edited_entry.json"] = json.dumps(moved, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    files["consistency_4_9.json"] = consistency_bundle(cp_early, cp_head, [K1.public_key, K2.public_key], roots)
    files["consistency_7_9.json"] = consistency_bundle(cp_rotation, cp_head, [K2.public_key], roots)
    wrong = json.loads(files["consistency_4_9.json"])
    wrong["proof"][0] = hashlib.sha256(b"not a subtree").hexdigest()
    files["consistency_bad.json"] = json.dumps(wrong, indent=2, sort_keys=True) + "\n"
    return [
        {"bundle": "proof_entry4.json", "kind": "inclusion", "ok": True},
        {"bundle": "proof_entry4.json", "kind": "inclusion", "public_keys": [k2], "ok": True},
        {"bundle": "proof_entry4.json", "kind": "inclusion", "public_keys": [k1], "ok": False, "fault": "untrusted_key"},
        {"bundle": "proof_entry1_at_rotation.json", "kind": "inclusion", "ok": True},
        {"bundle": "proof_entry9.json", "kind": "inclusion", "ok": True},
        {"bundle": "proof_bad_path.json", "kind": "inclusion", "ok": False, "fault": "bad_proof"},
        {"bundle": "proof_edited_entry.json", "kind": "inclusion", "ok": False, "fault": "canonical_mismatch"},
        {"bundle": "consistency_4_9.json", "kind": "consistency", "ok": True},
        {"bundle": "consistency_7_9.json", "kind": "consistency", "public_keys": [k2], "ok": True},
        {"bundle": "consistency_4_9.json", "kind": "consistency", "public_keys": [k2], "ok": False,
         "fault": "untrusted_key"},
        {"bundle": "consistency_bad.json", "kind": "consistency", "ok": False, "fault": "bad_proof"},
    ]


def build_files() -> dict[str, str]:
    """Every file of tests/data/ledger/ but this script, by name."""
    good = chain(GOOD)
    keys = registry(good)
    cp_rotation = checkpoint(good, 7, K2, created_at="2026-07-01T09:37:30.000000Z")
    cp_head = checkpoint(good, 9, K2, created_at="2026-07-01T10:00:00.000000Z")
    before = registry(good[:6])
    anchor = {"fingerprint": fingerprint(K1.public_key)}
    files = {
        "vectors.json": json.dumps(build(), indent=2, ensure_ascii=False) + "\n",
        "journal.jsonl": export(good, checkpoints=[cp_rotation, cp_head]),
        "journal_base.jsonl": export(chain(BASE)),
        "keys.json": export_keys(keys),
        "keys_before_rotation.json": export_keys(before),
        "checkpoint_rotation.json": cp_rotation.to_json(),
        "checkpoint_head.json": cp_head.to_json(),
    }
    expectations = [
        {"export": "journal.jsonl", "anchor": anchor, "ok": True, "entries_checked": 9, "checkpoints_checked": 2},
        {"export": "journal.jsonl", "anchor": {"keys": "keys.json"}, "ok": True, "entries_checked": 9},
        {"export": "journal.jsonl", "anchor": {"keys": "keys_before_rotation.json"}, "ok": True, "entries_checked": 9},
        {"export": "journal.jsonl", "anchor": {"database": True}, "ok": True, "entries_checked": 9},
        {"export": "journal.jsonl", "anchor": anchor, "checkpoints": ["checkpoint_rotation.json",
                                                                       "checkpoint_head.json"], "ok": True},
        {"export": "journal_base.jsonl", "anchor": anchor, "ok": True, "entries_checked": 4},
        {"export": "journal_base.jsonl", "anchor": {"keys": "keys.json"}, "ok": False,
         "fault": {"code": "truncated", "sequence": 5}},
        {"export": "journal_base.jsonl", "anchor": {"keys": "keys.json"}, "checkpoints": ["checkpoint_head.json"],
         "ok": False, "fault": {"code": "truncated", "sequence": 5}},
    ]
    for name, (text, expect) in negative_vectors().items():
        files[name] = text
        expectations.append({"export": name, "anchor": expect.pop("anchor", anchor), "ok": False, **expect})
    proofs = proof_vectors(good, cp_rotation, cp_head, files)
    files["expectations.json"] = json.dumps({
        "description": "What a verifier must answer for each export here, given the trust anchor (the genesis "
                       "key's fingerprint, a keys file, or the database's own genesis key) and any checkpoint "
                       "files, and for each proof bundle, given the public keys it trusts (none: the bundle's "
                       "own); see docs/ledger-format.md", "cases": expectations, "proofs": proofs}, indent=2) + "\n"
    return files


if __name__ == "__main__":
    for name, text in build_files().items():
        (HERE / name).write_text(text, encoding="utf-8")
        print(f"wrote {HERE / name}")
