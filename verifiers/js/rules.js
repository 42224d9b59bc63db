'use strict';
// The rules of docs/ledger-format.md sections 1, 4 and 6: what each entry must keep, and how a keys file or
// a registry is compared with the key schedule the journal carries.

const crypto = require('node:crypto');
const { encode, hasFloat, hasLoneSurrogate } = require('./canonical');

const GENESIS = 'ledger_genesis';
const ROTATION = 'key_rotated';
const MAX_AMOUNT = 10n ** 15n;
const RANK = ['sequence_gap', 'float_in_entry', 'canonical_mismatch', 'hash_mismatch', 'derived_mismatch',
  'invalid_field', 'invalid_posting', 'system_entry_with_postings', 'unbalanced', 'unexpected_cosignature',
  'bad_genesis', 'bad_rotation', 'unknown_key', 'bad_signature', 'untrusted_key'];
const rank = (code) => { const r = RANK.indexOf(code); return r < 0 ? 99 : r; };

const fingerprint = (publicKey) => crypto.createHash('sha256').update(publicKey).digest('hex');
const keyIdFor = (publicKey) => 'k_' + fingerprint(publicKey).slice(0, 16);

function verifySignature(publicKey, signature, message) {
  try {
    const key = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') },
      format: 'jwk' });
    return crypto.verify(null, message, key, signature);
  } catch (_) {
    return false;
  }
}

// The canonical object of an entry line (a Map), section 2.
function canonicalText(e) {
  const postings = e.get('postings').map((p) => new Map([['account', p.get('account')],
    ['amount_minor', p.get('amount_minor')], ['currency', p.get('currency')], ['direction', p.get('direction')]]));
  const obj = new Map();
  for (const k of ['code', 'data', 'effective_date', 'id', 'key_id', 'memo', 'recorded_at', 'references',
    'reverses', 'sequence']) obj.set(k, e.get(k));
  obj.set('postings', postings);
  return encode(obj);
}

function floatProblem(e) {
  if (hasFloat(e.get('references')) || hasFloat(e.get('data'))) return 'a float in references or data';
  const p = e.get('postings').find((q) => hasFloat(q.get('amount_minor')));
  return p ? 'a float amount' : null;
}

const chars = (s) => Array.from(s).length;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
function validDate(s) {
  const m = typeof s === 'string' && DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  return y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= days;
}
const ID = /^je_[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const RECORDED_AT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$/;

function fieldProblem(e) {
  if (typeof e.get('sequence') !== 'bigint' || e.get('sequence') < 1n) return 'sequence';
  if (!ID.test(e.get('id'))) return 'id';
  if (!validDate(e.get('effective_date'))) return 'effective_date';
  const at = e.get('recorded_at');
  if (!RECORDED_AT.test(at) || !validDate(at.slice(0, 10))) return 'recorded_at';
  if (!/^[a-z][a-z0-9_]{1,63}$/.test(e.get('code'))) return 'code';
  for (const [k, v] of e.get('references')) {
    if (!/^[a-z][a-z0-9_]{0,31}$/.test(k) || typeof v !== 'string' || !v || chars(v) > 128) return 'references';
  }
  const rev = e.get('reverses');
  if (rev !== null && !ID.test(rev)) return 'reverses';
  return null;
}

function postingProblem(legs) {
  for (const p of legs) {
    const [dir, amount] = [p.get('direction'), p.get('amount_minor')];
    if (dir !== 'debit' && dir !== 'credit') return `direction ${dir}`;
    if (!p.get('account')) return 'an empty account';
    if (!/^[A-Z]{3}$/.test(p.get('currency'))) return 'currency';
    if (typeof amount !== 'bigint' || amount < 1n || amount > MAX_AMOUNT) return 'amount';
  }
  return null;
}

function unbalanced(legs) {
  const totals = new Map();
  for (const p of legs) {
    const c = p.get('currency'), a = p.get('amount_minor');
    totals.set(c, (totals.get(c) || 0n) + (p.get('direction') === 'debit' ? a : -a));
  }
  return [...totals.values()].some((v) => v !== 0n);
}

const HEX64 = /^[0-9a-f]{64}$/;
const sameKeys = (map, names) => [...map.keys()].sort().join(',') === [...names].sort().join(',');

function genesisProblem(seq, code, keyId, data) {
  if (seq === 1n && code !== GENESIS) return 'the first entry is not a genesis';
  if (code !== GENESIS) return null;
  if (seq !== 1n) return 'a genesis after the first entry';
  if (!sameKeys(data, ['key_id', 'public_key'])) return 'genesis data is not exactly {key_id, public_key}';
  if (!HEX64.test(data.get('public_key'))) return 'a malformed public key';
  if (data.get('key_id') !== keyIdFor(Buffer.from(data.get('public_key'), 'hex'))) return 'a key id not derived';
  if (keyId !== data.get('key_id')) return 'not signed by the key it introduces';
  return null;
}

function rotationProblem(code, keyId, data) {
  if (code !== ROTATION) return null;
  if (!sameKeys(data, ['key_id', 'previous_key_id', 'public_key'])) return 'rotation data not exactly the three keys';
  if (!HEX64.test(data.get('public_key'))) return 'a malformed public key';
  if (data.get('key_id') !== keyIdFor(Buffer.from(data.get('public_key'), 'hex'))) return 'a key id not derived';
  if (data.get('previous_key_id') !== keyId) return 'the previous key is not its signer';
  if (data.get('key_id') === keyId) return 'the new key is its signer';
  return null;
}

// Section 6, ranks 6 to 12 (what an entry whose hash checks out must still keep): [code, why] or null.
function ruleFault(e, history) {
  const seq = e.get('sequence'), code = e.get('code'), keyId = e.get('key_id'), legs = e.get('postings');
  let why = fieldProblem(e);
  if (why) return ['invalid_field', why];
  why = postingProblem(legs);
  if (why) return ['invalid_posting', why];
  if ((code === GENESIS || code === ROTATION) && legs.length) return ['system_entry_with_postings', code];
  if (unbalanced(legs)) return ['unbalanced', 'debits and credits differ'];
  if (e.get('cosignature') !== null && code !== ROTATION) return ['unexpected_cosignature', code];
  why = genesisProblem(seq, code, keyId, e.get('data'));
  if (why) return ['bad_genesis', why];
  why = rotationProblem(code, keyId, e.get('data'));
  if (why) return ['bad_rotation', why];
  const inForce = history.length ? history[history.length - 1].key_id : null;
  if (code === ROTATION && inForce === keyId && history.some((k) => k.key_id === e.get('data').get('key_id'))) {
    return ['bad_rotation', 'brings back a key that was in force before'];
  }
  return null;
}

// Section 5: what a checkpoint's signature signs.
function checkpointMessage(cp) {
  const fields = new Map([['format', 'disburse-ledger-checkpoint/1'], ['journal', cp.journal],
    ['sequence', cp.sequence], ['head_hash', cp.head_hash.toString('hex')], ['merkle_root', cp.merkle_root.toString('hex')],
    ['balances_digest', cp.balances_digest.toString('hex')], ['created_at', cp.created_at], ['key_id', cp.key_id]]);
  return crypto.createHash('sha256').update(Buffer.from(encode(fields), 'utf8')).digest();
}

// Section 4: where keys K (a keys file, or a registry when `complete`) part from the journal's schedule D.
function disagreement(known, derived, last, complete) {
  const K = [...known].sort((a, b) => (a.valid_from_sequence < b.valid_from_sequence ? -1 : 1));
  const intro = (k) => (k.valid_from_sequence <= 1n ? 1n : k.valid_from_sequence - 1n);
  for (let i = 0; i < Math.max(K.length, derived.length); i++) {
    if (i >= K.length) return complete ? [intro(derived[i]), false, `key ${derived[i].key_id} is missing`] : null;
    const k = K[i];
    if (i >= derived.length) {
      return intro(k) > last ? [last + 1n, true, `key ${k.key_id} starts after the end`]
        : [intro(k), false, `key ${k.key_id} is not introduced by the journal`];
    }
    const d = derived[i];
    if (k.key_id !== d.key_id || !k.public_key.equals(d.public_key) || k.valid_from_sequence !== d.valid_from_sequence
        || k.valid_from !== d.valid_from) {
      const low = k.valid_from_sequence < d.valid_from_sequence ? k.valid_from_sequence : d.valid_from_sequence;
      return [low - 1n > 1n ? low - 1n : 1n, false, `key ${k.key_id} is not the journal's key ${d.key_id}`];
    }
    if (k.valid_to_sequence === d.valid_to_sequence && k.valid_to === d.valid_to) continue;
    if (!complete && k.valid_to_sequence === null && k.valid_to === null && i === K.length - 1) continue;
    if (d.valid_to_sequence === null && k.valid_to_sequence !== null) {
      const end = k.valid_to_sequence;
      return end > last ? [last + 1n, true, `key ${k.key_id} ends after the end`]
        : [end, false, `key ${k.key_id} ends where the journal rotates no key`];
    }
    const ends = [k.valid_to_sequence, d.valid_to_sequence].filter((x) => x !== null);
    const at = ends.length ? ends.reduce((a, b) => (a < b ? a : b)) : d.valid_from_sequence;
    return [at, false, `key ${k.key_id} ends elsewhere than the journal retires it`];
  }
  return null;
}

module.exports = { GENESIS, ROTATION, rank, checkpointMessage, fingerprint, keyIdFor, verifySignature, canonicalText, floatProblem,
  ruleFault, disagreement, hasLoneSurrogate };
