"""RFC 6962 Merkle tree hash over entry hashes (the leaves), for checkpoints, computed as a stream."""

from __future__ import annotations

import hashlib
from typing import Iterable

_EMPTY = hashlib.sha256(b"").digest()
BLOCK_SIZE = 1024  # entries per stored block root and per verification run: a perfect subtree when aligned


def leaf_hash(data: bytes) -> bytes:
    """MTH of one leaf: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


class MerkleAccumulator:
    """Adds leaves one at a time in O(log n) memory; ``root()`` is RFC 6962 §2.1's MTH of all so far.

    The stack holds roots of perfect subtrees of strictly decreasing size, like a binary counter.
    RFC 6962 splits n leaves at the largest power of two below n, which is exactly folding that
    stack from the right: MTH = H(T_big, H(T_mid, T_small)).
    """

    __slots__ = ("_stack", "count")

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []
        self.count = 0

    def add(self, data: bytes) -> None:
        size, node = 1, leaf_hash(data)
        stack = self._stack
        while stack and stack[-1][0] == size:
            _, left = stack.pop()
            node = node_hash(left, node)
            size *= 2
        stack.append((size, node))
        self.count += 1

    def add_subtree(self, size: int, root: bytes) -> None:
        """Add ``size`` leaves at once by the root of their perfect subtree (``size`` a power of two dividing
        the count so far, so that the subtree is aligned as RFC 6962 splits)."""
        if size & (size - 1) or self.count % size:
            raise ValueError(f"a subtree of {size} leaves does not align after {self.count}")
        self.count += size
        node, stack = root, self._stack
        while stack and stack[-1][0] == size:
            _, left = stack.pop()
            node = node_hash(left, node)
            size *= 2
        stack.append((size, node))

    def root(self) -> bytes:
        if not self._stack:
            return _EMPTY
        acc = self._stack[-1][1]
        for _, node in reversed(self._stack[:-1]):
            acc = node_hash(node, acc)
        return acc


def merkle_root(leaves: Iterable[bytes]) -> bytes:
    """RFC 6962 Merkle Tree Hash of ``leaves`` (the raw entry hashes)."""
    acc = MerkleAccumulator()
    for leaf in leaves:
        acc.add(leaf)
    return acc.root()
