'use strict';
// JSON as docs/ledger-format.md reads and writes it, written from that page alone.
//
// parse(): a strict JSON reader that keeps every integer exact (BigInt), marks every number with a
// fraction or an exponent as a Float (the format has none; the verifier names it), reads objects into Maps
// (so that no key, "__proto__" included, is special) and takes the last of repeated keys.
// encode(): the canonical encoding of section 2: keys sorted by code point, no whitespace, the exact
// string escapes, integers in plain decimal.

class Float {
  constructor(text) { this.text = text; }
}

class JsonError extends Error {}

const WS = new Set([' ', '\t', '\n', '\r']);
const SIMPLE_ESCAPES = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function parse(text) {
  let i = 0;
  const fail = (why) => { throw new JsonError(`${why} at column ${i + 1}`); };
  const skip = () => { while (i < text.length && WS.has(text[i])) i++; };
  function value() {
    skip();
    const c = text[i];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]]) {
      if (text.startsWith(word, i)) { i += word.length; return v; }
    }
    return fail('unexpected character');
  }
  function object() {
    const out = new Map();
    i++; skip();
    if (text[i] === '}') { i++; return out; }
    for (;;) {
      skip();
      if (text[i] !== '"') fail('expected a key');
      const key = string();
      skip();
      if (text[i] !== ':') fail('expected ":"');
      i++;
      out.set(key, value());
      skip();
      if (text[i] === ',') { i++; continue; }
      if (text[i] === '}') { i++; return out; }
      fail('expected "," or "}"');
    }
  }
  function array() {
    const out = [];
    i++; skip();
    if (text[i] === ']') { i++; return out; }
    for (;;) {
      out.push(value());
      skip();
      if (text[i] === ',') { i++; continue; }
      if (text[i] === ']') { i++; return out; }
      fail('expected "," or "]"');
    }
  }
  function string() {
    i++;
    let out = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text[i];
      if (c === '"') { i++; return out; }
      if (c < ' ') fail('a control character inside a string');
      if (c !== '\\') { out += c; i++; continue; }
      const e = text[i + 1];
      if (e in SIMPLE_ESCAPES) { out += SIMPLE_ESCAPES[e]; i += 2; continue; }
      if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      fail('a bad escape');
    }
  }
  function number() {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
    if (!m) fail('a bad number');
    i += m[0].length;
    return m[2] || m[3] ? new Float(m[0]) : BigInt(m[0]);
  }
  const v = value();
  skip();
  if (i !== text.length) fail('trailing characters');
  return v;
}

function compareCodePoints(a, b) {
  const x = Array.from(a), y = Array.from(b);
  for (let k = 0; k < Math.min(x.length, y.length); k++) {
    const d = x[k].codePointAt(0) - y[k].codePointAt(0);
    if (d) return d;
  }
  return x.length - y.length;
}

const SHORT = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function encodeString(s) {
  let out = '"';
  for (const ch of s) {
    if (ch in SHORT) out += SHORT[ch];
    else if (ch < ' ') out += '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

function encode(v) {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return encodeString(v);
  if (Array.isArray(v)) return '[' + v.map(encode).join(',') + ']';
  if (v instanceof Map) {
    const keys = [...v.keys()].sort(compareCodePoints);
    return '{' + keys.map((k) => encodeString(k) + ':' + encode(v.get(k))).join(',') + '}';
  }
  if (v instanceof Float) throw new JsonError('a float has no canonical form');
  throw new JsonError(`cannot encode ${typeof v}`);
}

function hasFloat(v) {
  if (v instanceof Float) return true;
  if (Array.isArray(v)) return v.some(hasFloat);
  if (v instanceof Map) return [...v.values()].some(hasFloat);
  return false;
}

// A lone surrogate (from a \uD800-style escape) is not a Unicode scalar value: it has no UTF-8 form.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function hasLoneSurrogate(s) { return LONE_SURROGATE.test(s); }

module.exports = { Float, JsonError, parse, encode, encodeString, compareCodePoints, hasFloat, hasLoneSurrogate };
