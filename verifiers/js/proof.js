'use strict';
// Checking a proof bundle (docs/ledger-format.md, section 10) with nothing but the bundle and, optionally,
// the public keys the checker already trusts: an inclusion proof (one entry is in the tree a signed
// checkpoint commits to) or a consistency proof (a later checkpoint's tree extends an earlier one's).

const fs = require('node:fs');
const { parse, JsonError } = require('./canonical');
const { InputError, checkpoint, hex } = require('./export');
const { sha256, rootFromInclusion, consistent } = require('./merkle');
const R = require('./rules');

function readBundle(path) {
  let text;
  try { text = fs.readFileSync(path, 'utf8'); } catch (e) {
    throw new InputError('file_not_readable', `cannot read ${path}: ${e.code || e.message}`);
  }
  try {
    const doc = parse(text.trim());
    if (doc instanceof Map) return doc;
  } catch (e) {
    if (!(e instanceof JsonError)) throw e;
  }
  throw new InputError('invalid_proof_bundle', `${path} is not a JSON object`);
}

function invalid(why) { return new InputError('invalid_proof_bundle', `proof bundle is not valid: ${why}`); }

function guard(fn) {
  try { return fn(); } catch (e) {
    if (e instanceof InputError && e.code === 'invalid_export') throw invalid(e.message.replace(/^line \d+: /, ''));
    throw e;
  }
}

function report(ok, code, detail, fingerprint, sequence, checkpointSequence) {
  return { ok, fault: ok ? null : { code, detail }, fingerprint, sequence: sequence === null ? null : Number(sequence),
    checkpoint_sequence: checkpointSequence === null ? null : Number(checkpointSequence) };
}

function checkInclusion(doc, trusted) {
  if (doc.get('format') !== 'disburse-ledger-proof/1') throw invalid('not a disburse-ledger-proof/1');
  const { cp, e, path, index, size, publicKey } = guard(() => {
    const entryDoc = doc.get('entry');
    if (!(entryDoc instanceof Map) || !(doc.get('checkpoint') instanceof Map) || !Array.isArray(doc.get('audit_path'))) {
      throw invalid('entry, checkpoint and audit_path are required');
    }
    entryDoc.set('type', 'entry');
    return { cp: checkpoint(doc.get('checkpoint'), 0), e: require('./export').entryOf(entryDoc, 0),
      path: doc.get('audit_path').map((p) => hex(p, 32, 0, 'audit_path')), index: doc.get('leaf_index'),
      size: doc.get('tree_size'), publicKey: hex(doc.get('public_key'), 32, 0, 'public_key') };
  });
  const seq = e.get('sequence');
  if (R.keyIdFor(publicKey) !== cp.key_id) return report(false, 'untrusted_key', 'the key is not the checkpoint\'s', null, seq, cp.sequence);
  if (trusted.length && !trusted.some((k) => k.equals(publicKey))) {
    return report(false, 'untrusted_key', 'the checkpoint\'s key is not a trusted key', null, seq, cp.sequence);
  }
  const fp = R.fingerprint(publicKey);
  if (R.floatProblem(e)) return report(false, 'float_in_entry', 'a float', fp, seq, cp.sequence);
  const text = R.canonicalText(e);
  if (text !== e.get('canonical')) return report(false, 'canonical_mismatch', 'canonical bytes', fp, seq, cp.sequence);
  if (!sha256(Buffer.from([1]), e.get('prev_hash'), Buffer.from(text, 'utf8')).equals(e.get('hash'))) {
    return report(false, 'hash_mismatch', 'the entry hash', fp, seq, cp.sequence);
  }
  const message = R.checkpointMessage(cp);
  if (!R.verifySignature(publicKey, cp.signature, message)) {
    return report(false, 'checkpoint_mismatch', 'the checkpoint signature', fp, seq, cp.sequence);
  }
  if (typeof index !== 'bigint' || typeof size !== 'bigint' || index !== seq - 1n || size !== cp.sequence) {
    return report(false, 'bad_proof', 'leaf_index must be sequence - 1, tree_size the checkpoint sequence', fp, seq, cp.sequence);
  }
  const root = rootFromInclusion(Number(index), Number(size), e.get('hash'), path);
  if (!root || !root.equals(cp.merkle_root)) {
    return report(false, 'bad_proof', 'the audit path does not lead to the checkpoint root', fp, seq, cp.sequence);
  }
  return report(true, null, `entry ${e.get('id')} is in the journal the checkpoint signed`, fp, seq, cp.sequence);
}

function checkConsistency(doc, trusted) {
  if (doc.get('format') !== 'disburse-ledger-consistency/1') throw invalid('not a disburse-ledger-consistency/1');
  const { first, second, proof, keys } = guard(() => {
    for (const k of ['first', 'second']) if (!(doc.get(k) instanceof Map)) throw invalid(`${k} is required`);
    if (!Array.isArray(doc.get('proof')) || !Array.isArray(doc.get('public_keys'))) throw invalid('proof, public_keys');
    return { first: checkpoint(doc.get('first'), 0), second: checkpoint(doc.get('second'), 0),
      proof: doc.get('proof').map((p) => hex(p, 32, 0, 'proof')),
      keys: doc.get('public_keys').map((k) => hex(k, 32, 0, 'public_keys')) };
  });
  const prints = [];
  for (const cp of [first, second]) {
    const key = keys.find((k) => R.keyIdFor(k) === cp.key_id);
    if (!key || (trusted.length && !trusted.some((t) => t.equals(key)))) {
      return report(false, 'untrusted_key', `no trusted key ${cp.key_id}`, null, null, cp.sequence);
    }
    if (!R.verifySignature(key, cp.signature, R.checkpointMessage(cp))) {
      return report(false, 'checkpoint_mismatch', `the checkpoint at ${cp.sequence}`, R.fingerprint(key), null, cp.sequence);
    }
    prints.push(R.fingerprint(key));
  }
  if (first.journal !== second.journal || !consistent(Number(first.sequence), Number(second.sequence),
    first.merkle_root, second.merkle_root, proof)) {
    return report(false, 'bad_proof', 'the later checkpoint does not extend the earlier', prints[1], first.sequence, second.sequence);
  }
  return report(true, null, 'the later checkpoint extends the earlier', [...new Set(prints)].join(', '),
    first.sequence, second.sequence);
}

function verifyBundle(path, isConsistency, publicKeys) {
  const trusted = publicKeys.map((k) => {
    if (!/^[0-9a-fA-F]{64}$/.test(k)) throw new InputError('invalid_public_key', '--public-key: 64 hex digits');
    return Buffer.from(k.toLowerCase(), 'hex');
  });
  const doc = readBundle(path);
  return isConsistency ? checkConsistency(doc, trusted) : checkInclusion(doc, trusted);
}

module.exports = { verifyBundle };
