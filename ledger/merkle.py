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

    @classmethod
    def from_frontier(cls, count: int, roots: "list[bytes] | tuple[bytes, ...]") -> "MerkleAccumulator":
        """The accumulator after ``count`` leaves, from the roots of the perfect subtrees that make them up
        (``frontier_sizes(count)``, largest first): to go on from a checkpoint without its leaves."""
        sizes = frontier_sizes(count)
        if len(sizes) != len(roots):
            raise ValueError(f"{count} leaves make {len(sizes)} perfect subtrees, not {len(roots)}")
        acc = cls()
        acc._stack = list(zip(sizes, roots))
        acc.count = count
        return acc

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


def frontier_sizes(count: int) -> list[int]:
    """The sizes of the perfect subtrees RFC 6962's tree of ``count`` leaves is built from, largest first."""
    return [1 << bit for bit in range(count.bit_length() - 1, -1, -1) if count >> bit & 1]


def merkle_root(leaves: Iterable[bytes]) -> bytes:
    """RFC 6962 Merkle Tree Hash of ``leaves`` (the raw entry hashes)."""
    acc = MerkleAccumulator()
    for leaf in leaves:
        acc.add(leaf)
    return acc.root()
