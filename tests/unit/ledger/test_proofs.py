"""Merkle proofs as RFC 6962 builds them and RFC 9162 checks them: every leaf of every tree up to 64 leaves has
an audit path leading to the root (and to no other root, from no other leaf), every pair of tree sizes up to 40
a consistency proof; and the bundles in tests/data/ledger/ get the verdicts expectations.json gives."""

import hashlib
import json
from pathlib import Path

import pytest

from ledger.merkle import merkle_root
from ledger.proofs import (LeafRoots, audit_path, check_consistency, check_inclusion, consistency_path, consistent,
                           root_from_inclusion)

LEAVES = [hashlib.sha256(b"entry %d" % i).digest() for i in range(64)]
DATA = Path(__file__).parents[2] / "data" / "ledger"
PROOFS = json.loads((DATA / "expectations.json").read_text())["proofs"]


def test_every_audit_path_leads_from_its_leaf_to_the_root_and_nowhere_else():
    roots = LeafRoots(LEAVES)
    for n in range(1, 65):
        root = merkle_root(LEAVES[:n])
        for m in range(n):
            path = audit_path(m, n, roots)
            assert root_from_inclusion(m, n, LEAVES[m], path) == root, (m, n)
            if n > 1:
                assert root_from_inclusion((m + 1) % n, n, LEAVES[m], path) != root
                assert root_from_inclusion(m, n, LEAVES[(m + 1) % n], path) != root
        assert root_from_inclusion(n, n, LEAVES[0], []) is None


def test_every_consistency_proof_shows_the_later_tree_extends_the_earlier():
    roots = LeafRoots(LEAVES)
    for n in range(1, 41):
        for m in range(1, n + 1):
            proof = consistency_path(m, n, roots)
            assert consistent(m, n, merkle_root(LEAVES[:m]), merkle_root(LEAVES[:n]), proof), (m, n)
            forged = merkle_root(LEAVES[1:m + 1])  # another history of the same length
            assert not consistent(m, n, forged, merkle_root(LEAVES[:n]), proof) or m == n == 0


@pytest.mark.parametrize("case", PROOFS, ids=[f"{c['bundle']}-{len(c.get('public_keys', []))}" for c in PROOFS])
def test_each_proof_bundle_gets_the_expected_verdict(case):
    doc = json.loads((DATA / case["bundle"]).read_text(encoding="utf-8"))
    trusted = [bytes.fromhex(k) for k in case.get("public_keys", [])]
    check = check_inclusion if case["kind"] == "inclusion" else check_consistency
    report = check(doc, trusted)
    assert report.ok is case["ok"], report
    if not case["ok"]:
        assert report.code == case["fault"]


def test_block_roots_give_the_roots_leaves_give_and_read_only_the_blocks_a_proof_ends_in():
    from ledger.merkle import BLOCK_SIZE
    from ledger.proofs import BlockRoots, block_roots

    leaves = [hashlib.sha256(b"e%d" % i).digest() for i in range(3 * BLOCK_SIZE + 300)]
    stored = block_roots(leaves)
    assert sorted(stored) == [0, 1, 2]
    del stored[1]  # a block not stored yet is computed from its hashes
    reads = []

    def read(first, last):
        reads.append((first, last))
        return leaves[first - 1:last]

    for n in (1, 5, BLOCK_SIZE, BLOCK_SIZE + 1, 2 * BLOCK_SIZE, len(leaves)):
        for m in (0, n // 2, n - 1):
            reads.clear()
            roots = BlockRoots(read, stored)
            assert roots(0, n) == merkle_root(leaves[:n])
            assert audit_path(m, n, roots) == audit_path(m, n, LeafRoots(leaves))
            assert len(reads) <= 3  # the block of m, the last partial block, the unstored block
