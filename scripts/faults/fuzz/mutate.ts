import type { Rng } from './rng';

/**
 * Mutations of a valid message, applied to its JSON tree or to its text: the kinds of input issue 10's
 * findings came from. Each returns the JSON text to send (not always JSON any more) and a label for
 * the table. Sizes stay under the fuzz server's frame and body limits unless the mutation is about
 * the limit, so the server has to look inside.
 */

/** A mutated message: its text and what was done to it. */
export interface Mutated {
  text: string;
  label: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Numbers that broke servers before: not JSON, not finite, past 2^53, past int4, negative, fractional. */
const NUMBER_LITERALS = [
  'NaN',
  'Infinity',
  '-Infinity',
  '1e999',
  '-1e999',
  '1e308',
  '-1e308',
  '-1',
  '-0',
  '0',
  '0.5',
  '9007199254740992',
  '9007199254740993',
  '-9007199254740993',
  '1e19',
  '2147483648',
  '4294967296',
  '5e-324',
  '1E+400',
  '0x10',
  '01',
];

/** Strings that reach SQL, file paths, logs and jsonb: NUL, lone surrogates, path and markup tricks. */
const NASTY_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ufeff',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e/%2e%2e/',
  "'; drop table sessions; --",
  '<script>alert(1)</script>',
  '${jndi:ldap://127.0.0.1/x}',
  '\r\nSet-Cookie: x=1',
  '__proto__',
  'constructor',
  '',
  ' ',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '😀'.repeat(100),
];

/** Values of every JSON type, for putting the wrong one in a field. */
const WRONG_TYPES: Json[] = [null, true, false, 0, -1, 'x', '', [], [1, 2], {}, { a: 1 }, [[[]]]];

/** Message types the server does not know, or that only look like ones it does. */
const ODD_TYPES = [
  '',
  'BATCH',
  'batch ',
  'authenticate',
  'ack',
  'error',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'x'.repeat(5000),
];

/** Every path in `value` (objects and arrays), breadth-first and bounded: events hold hundreds. */
function paths(value: Json, limit = 400): Path[] {
  const out: Path[] = [];
  const queue: { node: Json; path: Path }[] = [{ node: value, path: [] }];
  while (queue.length > 0 && out.length < limit) {
    const { node, path } = queue.shift()!;
    if (path.length > 0) out.push(path);
    if (Array.isArray(node)) node.forEach((item, i) => queue.push({ node: item, path: [...path, i] }));
    else if (node !== null && typeof node === 'object')
      for (const [k, item] of Object.entries(node)) queue.push({ node: item, path: [...path, k] });
  }
  return out;
}

function clone(value: Json): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

/** The container holding `path` and the key in it. */
function parentOf(root: Json, path: Path): { parent: Json[] | Record<string, Json>; key: string | number } | undefined {
  let node: Json = root;
  for (const step of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, Json>)[step as string] ?? null;
  }
  if (node === null || typeof node !== 'object') return undefined;
  return { parent: node, key: path[path.length - 1]! };
}

function setAt(root: Json, path: Path, value: Json): void {
  const at = parentOf(root, path);
  if (at) (at.parent as Record<string, Json>)[at.key as string] = value;
}

function removeAt(root: Json, path: Path): void {
  const at = parentOf(root, path);
  if (!at) return;
  if (Array.isArray(at.parent)) at.parent.splice(at.key as number, 1);
  else delete at.parent[at.key as string];
}

/** A marker JSON.stringify leaves alone, replaced in the text by a literal (a number JSON cannot say). */
const SENTINEL = '\u0007FUZZ\u0007';
const SENTINEL_JSON = JSON.stringify(SENTINEL);

function withLiteral(root: Json, path: Path, literal: string): string {
  const copy = clone(root);
  if (path.length === 0) return literal;
  setAt(copy, path, SENTINEL);
  return JSON.stringify(copy).replace(SENTINEL_JSON, () => literal);
}

/** `[[[...]]]` `depth` levels deep, built as text (JSON.stringify would recurse). */
function deepText(depth: number, open: '[' | '{"a":'): string {
  const close = open === '[' ? ']' : '}';
  return `${open.repeat(depth)}1${close.repeat(depth)}`;
}

/** One mutation of `message`, chosen by `rng`. */
export function mutate(rng: Rng, message: Record<string, unknown>): Mutated {
  const root = message as Json;
  const all = paths(root);
  const anyPath = () => (all.length > 0 ? rng.pick(all) : []);
  const op = rng.weighted<string>([
    [4, 'wrong-type'],
    [3, 'missing-field'],
    [3, 'extra-field'],
    [3, 'bad-number'],
    [3, 'nasty-string'],
    [2, 'huge-string'],
    [2, 'huge-array'],
    [2, 'deep-nesting'],
    [2, 'odd-type'],
    [1, 'not-an-object'],
    [2, 'truncated'],
    [1, 'duplicate-key'],
    [1, 'proto-key'],
    [1, 'valid'],
  ]);
  switch (op) {
    case 'wrong-type':
      return { text: withLiteral(root, anyPath(), JSON.stringify(rng.pick(WRONG_TYPES))), label: op };
    case 'missing-field': {
      const copy = clone(root);
      removeAt(copy, anyPath());
      return { text: JSON.stringify(copy), label: op };
    }
    case 'extra-field': {
      const copy = clone(root);
      const containers = [[], ...all].filter((p) => {
        const at =
          p.length === 0 ? copy : (parentOf(copy, p)?.parent as Record<string, Json>)?.[p[p.length - 1] as string];
        return at !== null && typeof at === 'object' && !Array.isArray(at);
      });
      const where = rng.pick(containers);
      // Keys and values the loose legacy objects keep and store as jsonb: NUL and lone surrogates included.
      const key = rng.pick([
        'extra',
        'workerId',
        'worker_id',
        'owner',
        'admin',
        'sequence',
        'id',
        '\u0000',
        '',
        '\ud800',
        rng.string(12),
      ]);
      const value = rng.pick<Json>([
        1,
        'x',
        { nested: { deep: [1, 2, 3] } },
        'admin',
        true,
        null,
        rng.pick(NASTY_STRINGS),
        1e308,
      ]);
      setAt(copy, [...where, key], value);
      return { text: JSON.stringify(copy), label: op };
    }
    case 'bad-number':
      return { text: withLiteral(root, anyPath(), rng.pick(NUMBER_LITERALS)), label: op };
    case 'nasty-string':
      return { text: withLiteral(root, anyPath(), JSON.stringify(rng.pick(NASTY_STRINGS))), label: op };
    case 'huge-string': {
      const length = rng.pick([9_000, 70_000, 300_000, 700_000]);
      return { text: withLiteral(root, anyPath(), JSON.stringify('A'.repeat(length))), label: op };
    }
    case 'huge-array': {
      const items = rng.pick([5_001, 20_000, 60_000]);
      const item = rng.pick(['0', '{"type":"click"}', '"x"']);
      return { text: withLiteral(root, anyPath(), `[${`${item},`.repeat(items - 1)}${item}]`), label: op };
    }
    case 'deep-nesting': {
      const depth = rng.pick([33, 65, 1_000, 150_000]);
      return { text: withLiteral(root, anyPath(), deepText(depth, rng.pick(['[', '{"a":'] as const))), label: op };
    }
    case 'odd-type':
      return { text: withLiteral(root, ['type'], JSON.stringify(rng.pick(ODD_TYPES))), label: op };
    case 'not-an-object':
      return { text: rng.pick(['[]', '[{"type":"batch"}]', '"batch"', '42', 'null', 'true', '{}', '']), label: op };
    case 'truncated': {
      const text = JSON.stringify(root);
      return { text: text.slice(0, rng.int(0, text.length - 1)), label: op };
    }
    case 'duplicate-key': {
      const text = JSON.stringify(root);
      return { text: `{"type":"resume","sessionIds":[],${text.slice(1)}`, label: op };
    }
    case 'proto-key': {
      const text = JSON.stringify(root);
      const key = rng.pick(['__proto__', 'constructor', 'prototype']);
      return { text: `{"${key}":{"type":"resume","polluted":true},${text.slice(1)}`, label: op };
    }
    default:
      return { text: JSON.stringify(root), label: 'valid' };
  }
}
