#!/usr/bin/env node
'use strict';
// An independent verifier of Disburse journal exports, written from docs/ledger-format.md alone, with
// Node's standard library only (node:crypto has SHA-256 and Ed25519).
//
//   node verify.js EXPORT (--anchor FINGERPRINT | --keys KEYS.json | --trust-database)
//                         [--checkpoint CHECKPOINT.json ...] [--json]
//   node verify.js --proof BUNDLE.json [--public-key HEX] [--json]
//   node verify.js --consistency BUNDLE.json [--public-key HEX ...] [--json]
//
// Exit 0: verifies; 1: a fault (printed, with its code and sequence); 2: the input is unusable.

const fs = require('node:fs');
const { encode } = require('./canonical');
const { InputError, readExport, keyRecord, checkpoint, parseLine, exactFields } = require('./export');
const { sha256, MerkleAccumulator } = require('./merkle');
const R = require('./rules');

const HASH_VERSION = Buffer.from([1]);

function readKeysFile(path) {
  const obj = parseLine(readFile(path), 1);
  if (obj.get('format') !== 'disburse-ledger-keys/1' || !Array.isArray(obj.get('keys'))) {
    throw new InputError('invalid_key_file', `${path}: not a disburse-ledger-keys/1 file`);
  }
  const keys = obj.get('keys').map((k) => {
    if (!(k instanceof Map)) throw new InputError('invalid_key_file', `${path}: a key is not an object`);
    return keyRecord(k, 1);
  });
  if (new Set(keys.map((k) => k.key_id)).size !== keys.length) throw new InputError('invalid_key_file', 'a key twice');
  return keys;
}

function readFile(path) {
  try { return fs.readFileSync(path, 'utf8').replace(/\n+$/, '').replace(/\n/g, ' '); } catch (e) {
    throw new InputError('file_not_readable', `cannot read ${path}: ${e.code || e.message}`);
  }
}

const readCheckpoint = (path) => checkpoint(parseLine(readFile(path), 1), 1);

function balancesDigest(balances) {
  const rows = [];
  for (const account of [...balances.keys()].sort(require('./canonical').compareCodePoints)) {
    const byCurrency = balances.get(account);
    for (const currency of [...byCurrency.keys()].sort(require('./canonical').compareCodePoints)) {
      const [d, c] = byCurrency.get(currency);
      rows.push([account, currency, d, c]);
    }
  }
  return sha256(Buffer.from(encode(rows), 'utf8'));
}

function trustFault(anchor, schedule, last) {
  if (anchor.database) return null;
  if (anchor.fingerprint) {
    if (!schedule.length) return null;
    const got = R.fingerprint(schedule[0].public_key);
    return got === anchor.fingerprint ? null : [1n, false, `the genesis key's fingerprint ${got} is not the anchor`];
  }
  if (!anchor.keys.length) return [1n, false, 'the keys file holds no key'];
  return R.disagreement(anchor.keys, schedule, last, false);
}

function better(a, b) {
  if (!a) return b;
  if (!b) return a;
  return a[0] < b[0] || (a[0] === b[0] && R.rank(a[2]) <= R.rank(b[2])) ? a : b;
}

// Section 6, ranks 2 to 14, for one entry: [code, why] or null; `inForce` is the schedule so far.
function entryFault(e, schedule) {
  const why = R.floatProblem(e);
  if (why) return ['float_in_entry', why];
  const text = R.canonicalText(e);
  if (R.hasLoneSurrogate(text)) return ['invalid_field', 'a lone surrogate: no UTF-8 form'];
  if (text !== e.get('canonical')) return ['canonical_mismatch', 'the carried canonical bytes differ from the fields'];
  const digest = sha256(HASH_VERSION, e.get('prev_hash'), Buffer.from(text, 'utf8'));
  if (!digest.equals(e.get('hash'))) return ['hash_mismatch', 'the hash does not match the content'];
  const rule = R.ruleFault(e, schedule);
  if (rule) return rule;
  const data = e.get('data');
  const key = e.get('sequence') === 1n ? { key_id: data.get('key_id'), public_key: Buffer.from(data.get('public_key'), 'hex') }
    : schedule[schedule.length - 1];
  if (!key || key.key_id !== e.get('key_id')) return ['unknown_key', `key ${e.get('key_id')} is not the key in force`];
  if (!R.verifySignature(key.public_key, e.get('signature'), e.get('hash'))) return ['bad_signature', 'signature'];
  if (e.get('code') === R.ROTATION) {
    const cosig = e.get('cosignature');
    if (!cosig || !R.verifySignature(Buffer.from(data.get('public_key'), 'hex'), cosig, e.get('hash'))) {
      return ['bad_signature', 'the new key did not co-sign its rotation'];
    }
  }
  return null;
}

function verifyExport(path, anchor, extraCheckpoints) {
  let meta = null, fault = null, last = 0n, lastHash = Buffer.alloc(32), count = 0n;
  const schedule = [], acc = new MerkleAccumulator(), balances = new Map(), states = new Map();
  let cps = [];
  const endLine = readExport(path, (m) => {
    meta = m;
    for (const cp of extraCheckpoints) {
      if (cp.journal !== m.journal) throw new InputError('checkpoint_wrong_journal', `a checkpoint of ${cp.journal}`);
    }
    const seen = new Set();
    for (const cp of [...m.checkpoints, ...extraCheckpoints]) {
      const id = R.checkpointMessage(cp).toString('hex') + cp.signature.toString('hex');
      if (!seen.has(id)) { seen.add(id); cps.push(cp); }
    }
    cps = cps.map((cp, i) => [cp, i]).sort((a, b) => (a[0].sequence < b[0].sequence ? -1
      : a[0].sequence > b[0].sequence ? 1 : a[1] - b[1])).map((x) => x[0]);
  }, (e) => {
    count += 1n;
    const seq = e.get('sequence');
    if (!fault) {
      let found = null;
      if (seq > last + 1n) found = [last + 1n, null, 'sequence_gap', `entries ${last + 1n}..${seq - 1n} are missing`];
      else if (!e.get('prev_hash').equals(lastHash)) found = [seq, e.get('id'), 'hash_mismatch', 'prev_hash does not link'];
      const own = entryFault(e, schedule);
      if (own) found = better(found, [seq, e.get('id'), ...own]);
      if (found) fault = found;
      else accept(e, schedule, acc, balances, states, cps);
    }
    last = seq;
    lastHash = e.get('hash');
  });
  fault = better(fault, tagged(trustFault(anchor, schedule, last), 'untrusted_key'));
  if (!fault) fault = tagged(R.disagreement(meta.keys, schedule, last, true), 'registry_mismatch');
  if (!fault && !endLine) fault = [last + 1n, null, 'truncated', 'the file ends without its end line'];
  if (!fault && endLine.entries !== count) {
    fault = endLine.entries > count ? [last + 1n, null, 'truncated', 'the end line counts more entries']
      : [last, null, 'head_mismatch', 'the end line counts fewer entries'];
  }
  if (!fault && (endLine.head_sequence !== last || !endLine.head_hash.equals(lastHash))) {
    fault = [last, null, 'head_mismatch', 'the end line does not name the last entry'];
  }
  let checked = 0, cpLast = null;
  if (!fault) {
    for (const cp of cps) {
      cpLast = cp.sequence;
      fault = checkpointFault(cp, schedule, last, anchor, states);
      if (fault) break;
      checked += 1;
    }
  }
  return { ok: !fault, entries_checked: Number(count), head_sequence: Number(last), head_hash: lastHash.toString('hex'),
    fault: fault && { sequence: Number(fault[0]), entry_id: fault[1], code: fault[2], detail: fault[3] },
    checkpoints_checked: checked, checkpoint_sequence: cpLast === null ? null : Number(cpLast) };
}

function tagged(found, code) {
  if (!found) return null;
  const [seq, truncated, why] = found;
  return [seq, null, truncated ? 'truncated' : code, why];
}

function accept(e, schedule, acc, balances, states, cps) {
  const seq = e.get('sequence'), data = e.get('data');
  if (e.get('code') === R.GENESIS) {
    schedule.push({ key_id: data.get('key_id'), public_key: Buffer.from(data.get('public_key'), 'hex'),
      valid_from_sequence: 1n, valid_from: e.get('recorded_at'), valid_to_sequence: null, valid_to: null });
  } else if (e.get('code') === R.ROTATION) {
    Object.assign(schedule[schedule.length - 1], { valid_to_sequence: seq, valid_to: e.get('recorded_at') });
    schedule.push({ key_id: data.get('key_id'), public_key: Buffer.from(data.get('public_key'), 'hex'),
      valid_from_sequence: seq + 1n, valid_from: e.get('recorded_at'), valid_to_sequence: null, valid_to: null });
  }
  acc.add(e.get('hash'));
  for (const p of e.get('postings')) {
    const account = p.get('account'), currency = p.get('currency');
    if (!balances.has(account)) balances.set(account, new Map());
    const sides = balances.get(account).get(currency) || [0n, 0n];
    sides[p.get('direction') === 'debit' ? 0 : 1] += p.get('amount_minor');
    balances.get(account).set(currency, sides);
  }
  if (cps.some((cp) => cp.sequence === seq)) states.set(seq, [e.get('hash'), acc.root(), balancesDigest(balances)]);
}

function checkpointFault(cp, schedule, last, anchor, states) {
  const n = cp.sequence;
  let key = schedule.find((k) => k.key_id === cp.key_id && k.valid_from_sequence <= n + 1n
    && (k.valid_to_sequence === null || n + 1n <= k.valid_to_sequence));
  if (!key && n >= last) key = [...schedule, ...(anchor.keys || [])].reverse().find((k) => k.key_id === cp.key_id);
  if (!key || !R.verifySignature(key.public_key, cp.signature, R.checkpointMessage(cp))) {
    return [n, null, 'checkpoint_mismatch', 'the checkpoint signature does not verify under the key in force after it'];
  }
  const state = states.get(n);
  if (last < n || !state) return [last + 1n, null, 'truncated', `the journal ends at ${last}, a checkpoint covers ${n}`];
  const [head, root, digest] = state;
  if (!head.equals(cp.head_hash)) return [n, null, 'checkpoint_mismatch', 'another entry at the checkpoint'];
  if (!root.equals(cp.merkle_root)) return [n, null, 'checkpoint_mismatch', 'the Merkle root differs'];
  if (!digest.equals(cp.balances_digest)) return [n, null, 'checkpoint_mismatch', 'the balances differ'];
  return null;
}

function anchorFrom(opts) {
  const given = ['anchor', 'keys', 'trust-database'].filter((k) => opts[k] !== undefined);
  if (given.length > 1) throw new InputError('conflicting_trust_anchors', 'give one trust anchor');
  if (opts.anchor !== undefined) {
    if (!/^[0-9a-fA-F]{64}$/.test(opts.anchor)) throw new InputError('invalid_anchor', '--anchor: 64 hex digits');
    return { fingerprint: opts.anchor.toLowerCase() };
  }
  if (opts.keys !== undefined) return { keys: readKeysFile(opts.keys) };
  if (opts['trust-database']) return { database: true };
  throw new InputError('no_trust_anchor', 'no trust anchor: give --anchor FINGERPRINT, --keys FILE or --trust-database');
}

function parseArgs(argv) {
  const opts = { checkpoint: [], 'public-key': [], positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json' || a === '--trust-database') opts[a.slice(2)] = true;
    else if (['--anchor', '--keys', '--proof', '--consistency'].includes(a)) opts[a.slice(2)] = argv[++i];
    else if (a === '--checkpoint' || a === '--public-key') opts[a.slice(2)].push(argv[++i]);
    else if (a.startsWith('--')) throw new InputError('usage', `unknown option ${a}`);
    else opts.positional.push(a);
  }
  return opts;
}

function describe(report) {
  if (!('entries_checked' in report)) {
    return report.ok ? `proof verifies, under the key with fingerprint ${report.fingerprint}`
      : `proof does NOT verify: ${report.fault.code}: ${report.fault.detail}`;
  }
  if (report.ok) return `verifies: ${report.entries_checked} entries, head ${report.head_sequence}`;
  const f = report.fault;
  return `does NOT verify: ${f.code} at sequence ${f.sequence}${f.entry_id ? ` (${f.entry_id})` : ''}: ${f.detail}`;
}

function main(argv) {
  let opts;
  try {
    opts = parseArgs(argv);
    let report;
    if (opts.proof || opts.consistency) {
      report = require('./proof').verifyBundle(opts.proof || opts.consistency, Boolean(opts.consistency),
        opts['public-key']);
    } else {
      if (opts.positional.length !== 1) throw new InputError('usage', 'give one export file');
      const anchor = anchorFrom(opts);
      report = verifyExport(opts.positional[0], anchor, opts.checkpoint.map(readCheckpoint));
    }
    console.log(opts.json ? JSON.stringify(report, null, 2) : describe(report));
    return report.ok ? 0 : 1;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    console.error(`error: ${e.code}: ${e.message}`);
    return 2;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

module.exports = { main, verifyExport, readCheckpoint, InputError };
