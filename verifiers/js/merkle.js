'use strict';
// RFC 6962 / RFC 9162 Merkle trees over entry hashes (docs/ledger-format.md, sections 5 and 10): the root,
// built as a stream, and the checks of an inclusion proof (audit path) and of a consistency proof.

const crypto = require('node:crypto');

const sha256 = (...parts) => crypto.createHash('sha256').update(Buffer.concat(parts)).digest();
const leafHash = (entryHash) => sha256(Buffer.from([0]), entryHash);
const nodeHash = (left, right) => sha256(Buffer.from([1]), left, right);

// Perfect subtrees of decreasing size on a stack, like a binary counter; the root folds it from the right.
class MerkleAccumulator {
  constructor() { this.stack = []; this.count = 0; }
  add(entryHash) {
    let size = 1, node = leafHash(entryHash);
    while (this.stack.length && this.stack[this.stack.length - 1][0] === size) {
      node = nodeHash(this.stack.pop()[1], node);
      size *= 2;
    }
    this.stack.push([size, node]);
    this.count += 1;
  }
  root() {
    if (!this.stack.length) return sha256(Buffer.alloc(0));
    let acc = this.stack[this.stack.length - 1][1];
    for (let k = this.stack.length - 2; k >= 0; k--) acc = nodeHash(this.stack[k][1], acc);
    return acc;
  }
}

// RFC 9162 section 2.1.3.2: does `path` prove the leaf at `index` (0-based) in a tree of `size` leaves?
function rootFromInclusion(index, size, entryHash, path) {
  if (index >= size) return null;
  let fn = BigInt(index), sn = BigInt(size) - 1n, r = leafHash(entryHash);
  for (const p of path) {
    if (sn === 0n) return null;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      if ((fn & 1n) === 0n) while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

// RFC 9162 section 2.1.4.2: does `proof` show that the tree of `second` leaves with root `secondRoot`
// extends the tree of `first` leaves with root `firstRoot`?
function consistent(first, second, firstRoot, secondRoot, proof) {
  if (first < 1 || first > second) return false;
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  let path = proof;
  if ((first & (first - 1)) === 0) path = [firstRoot, ...proof];
  if (!path.length) return false;
  let fn = BigInt(first) - 1n, sn = BigInt(second) - 1n;
  while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
  let fr = path[0], sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if ((fn & 1n) === 0n) while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return fr.equals(firstRoot) && sr.equals(secondRoot) && sn === 0n;
}

module.exports = { sha256, leafHash, nodeHash, MerkleAccumulator, rootFromInclusion, consistent };
