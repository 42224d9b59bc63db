'use strict';
// Reading an export (docs/ledger-format.md, section 7): strict UTF-8 lines, each a JSON object of a known
// type and shape. A malformed file is an InputError naming the line: nothing is verified.

const fs = require('node:fs');
const { parse, JsonError } = require('./canonical');

class InputError extends Error {
  constructor(code, message) { super(message); this.code = code; }
}

// The file's lines, split at "\n" only and decoded strictly (bytes that are not UTF-8 are refused).
function* lines(path) {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const fd = fs.openSync(path, 'r');
  const chunk = Buffer.alloc(1 << 20);
  let rest = Buffer.alloc(0), number = 0, n;
  const decode = (bytes) => {
    number += 1;
    try { return decoder.decode(bytes); } catch (_) { throw new InputError('invalid_export', `line ${number}: not UTF-8 text`); }
  };
  try {
    while ((n = fs.readSync(fd, chunk, 0, chunk.length, null)) > 0) {
      const data = Buffer.concat([rest, chunk.subarray(0, n)]);
      let start = 0, nl;
      while ((nl = data.indexOf(10, start)) >= 0) {
        yield decode(data.subarray(start, nl + 1));
        start = nl + 1;
      }
      rest = Buffer.from(data.subarray(start));
    }
    if (rest.length) yield decode(rest);
  } finally {
    fs.closeSync(fd);
  }
}

function bad(number, why) { return new InputError('invalid_export', `line ${number}: ${why}`); }

function parseLine(text, number) {
  if (!text.trim()) throw bad(number, 'an empty line');
  let obj;
  try { obj = parse(text); } catch (e) {
    if (e instanceof JsonError) throw bad(number, `not JSON: ${e.message}`);
    throw e;
  }
  if (!(obj instanceof Map)) throw bad(number, 'not a JSON object');
  return obj;
}

function exactFields(obj, names, number, what) {
  const have = [...obj.keys()].sort().join(',');
  if (have !== [...names].sort().join(',')) throw bad(number, `${what} fields wrong: ${have}`);
}

function hex(value, size, number, name, nullable = false) {
  if (value === null && nullable) return null;
  if (typeof value !== 'string' || value.length !== size * 2 || !/^[0-9a-f]*$/.test(value)) {
    throw bad(number, `${name} must be ${size * 2} lower-case hex digits`);
  }
  return Buffer.from(value, 'hex');
}

function integer(value, number, name, nullable = false) {
  if (value === null && nullable) return null;
  if (typeof value !== 'bigint') throw bad(number, `${name} must be an integer`);
  return value;
}

function text(value, number, name, nullable = false) {
  if (value === null && nullable) return null;
  if (typeof value !== 'string') throw bad(number, `${name} must be a string`);
  return value;
}

const KEY_FIELDS = ['key_id', 'public_key', 'type', 'valid_from', 'valid_from_sequence', 'valid_to', 'valid_to_sequence'];

// A key record (a `key` line, or an element of a keys file without `type`).
function keyRecord(obj, number) {
  return {
    key_id: text(obj.get('key_id'), number, 'key_id'),
    public_key: hex(obj.get('public_key'), 32, number, 'public_key'),
    valid_from_sequence: integer(obj.get('valid_from_sequence'), number, 'valid_from_sequence'),
    valid_from: text(obj.get('valid_from'), number, 'valid_from'),
    valid_to_sequence: integer(obj.get('valid_to_sequence'), number, 'valid_to_sequence', true),
    valid_to: text(obj.get('valid_to'), number, 'valid_to', true),
  };
}

// A checkpoint document (section 5), as a `checkpoint` line or a file.
function checkpoint(obj, number) {
  if (obj.get('format') !== 'disburse-ledger-checkpoint/1') throw bad(number, 'not a disburse-ledger-checkpoint/1');
  const sequence = integer(obj.get('sequence'), number, 'sequence');
  if (sequence < 1n) throw bad(number, 'sequence must be >= 1');
  return {
    journal: text(obj.get('journal'), number, 'journal'), sequence,
    head_hash: hex(obj.get('head_hash'), 32, number, 'head_hash'),
    merkle_root: hex(obj.get('merkle_root'), 32, number, 'merkle_root'),
    balances_digest: hex(obj.get('balances_digest'), 32, number, 'balances_digest'),
    created_at: text(obj.get('created_at'), number, 'created_at'),
    key_id: text(obj.get('key_id'), number, 'key_id'),
    signature: hex(obj.get('signature'), 64, number, 'signature'),
  };
}

const ENTRY_FIELDS = ['canonical', 'code', 'cosignature', 'data', 'effective_date', 'hash', 'id', 'key_id', 'memo',
  'postings', 'prev_hash', 'recorded_at', 'references', 'reverses', 'sequence', 'signature', 'type'];

function entry(obj, number) {
  exactFields(obj, ENTRY_FIELDS, number, 'entry');
  integer(obj.get('sequence'), number, 'sequence');
  for (const name of ['id', 'effective_date', 'recorded_at', 'code', 'memo', 'key_id']) text(obj.get(name), number, name);
  text(obj.get('reverses'), number, 'reverses', true);
  for (const name of ['references', 'data']) {
    if (!(obj.get(name) instanceof Map)) throw bad(number, `${name} must be an object`);
  }
  if (!Array.isArray(obj.get('postings'))) throw bad(number, 'postings must be a list');
  for (const p of obj.get('postings')) {
    if (!(p instanceof Map)) throw bad(number, 'a posting must be an object');
    exactFields(p, ['account', 'amount_minor', 'currency', 'direction'], number, 'posting');
    for (const name of ['account', 'direction', 'currency']) text(p.get(name), number, name);
  }
  text(obj.get('canonical'), number, 'canonical');
  for (const [name, size] of [['prev_hash', 32], ['hash', 32], ['signature', 64]]) {
    obj.set(name, hex(obj.get(name), size, number, name));
  }
  obj.set('cosignature', hex(obj.get('cosignature'), 64, number, 'cosignature', true));
  return obj;
}

function end(obj, number) {
  exactFields(obj, ['entries', 'head_hash', 'head_sequence', 'type'], number, 'end');
  return { entries: integer(obj.get('entries'), number, 'entries'),
    head_sequence: integer(obj.get('head_sequence'), number, 'head_sequence'),
    head_hash: hex(obj.get('head_hash'), 32, number, 'head_hash') };
}

// Streams an export: calls onHeader(meta) once the header, keys and checkpoints are read, then onEntry(e)
// for each entry; returns the end line (or null when the file has none).
function readExport(path, onHeader, onEntry) {
  const meta = { journal: null, keys: [], checkpoints: [] };
  let number = 0, started = false, last = 0n, endLine = null;
  for (const raw of lines(path)) {
    number += 1;
    const obj = parseLine(raw, number);
    const kind = obj.get('type');
    if (number === 1) {
      if (kind !== 'header' || obj.get('format') !== 'disburse-ledger-export/1' || obj.get('canonical_version') !== 1n) {
        throw bad(1, 'not a disburse-ledger-export/1 header (format, canonical_version 1)');
      }
      meta.journal = String(obj.get('journal'));
      continue;
    }
    if (endLine) throw bad(number, 'a line after the end line');
    if (!started && kind === 'key') { exactFields(obj, KEY_FIELDS, number, 'key'); meta.keys.push(keyRecord(obj, number)); continue; }
    if (!started && kind === 'checkpoint') { meta.checkpoints.push(checkpoint(obj, number)); continue; }
    if (kind === 'entry' || kind === 'end') {
      if (!started) { started = true; onHeader(meta); }
      if (kind === 'end') { endLine = end(obj, number); continue; }
      const e = entry(obj, number);
      if (e.get('sequence') <= last) throw bad(number, `sequence ${e.get('sequence')} does not follow ${last}`);
      last = e.get('sequence');
      onEntry(e);
      continue;
    }
    throw bad(number, `a ${JSON.stringify(kind)} line here`);
  }
  if (number === 0) throw bad(1, 'the file is empty: no header line');
  if (!started) onHeader(meta);
  return endLine;
}

module.exports = { InputError, readExport, keyRecord, checkpoint, entryOf: entry, lines, parseLine, exactFields, hex,
  integer, text };
