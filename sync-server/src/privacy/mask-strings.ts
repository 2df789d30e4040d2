import {
  cachedLocationOfKey,
  maskPersonalText,
  type MaskedPersonalText,
  SESSION_ID_PATTERN,
  type MaskCountsByLocation,
  type MaskLocation,
  type MaskRule,
} from '@codesight/schema';

/** What the server masked in one event, by rule and location. */
export type ServerMaskCounts = MaskCountsByLocation;

/** A value after {@link maskStoredStrings}: the same reference when nothing changed, and what was masked. */
export interface MaskedValue<T> {
  value: T;
  /** Undefined when nothing was masked (the common case: the extension masked already). */
  counts: ServerMaskCounts | undefined;
}

// The one string the server must never change: a session id is the key everything is stored under, and
// one made of digits (`cs_4111111111111111`) could look like a card number. Skipped only while it has a
// session id's shape, so no other text hides under these keys. Every other key is walked, enums and
// times included: they hold no digit runs or `@` a detector could take, and a legacy client's free-form
// object may put anything under any key.
const SESSION_ID_KEYS = new Set(['sessionId', 'session_id']);

/**
 * Runs the shared detectors ({@link maskPersonalText}) over every string in `value` that holds captured
 * content, as the extension would have, and counts what they found by rule and location. Objects and
 * arrays that hold nothing to mask are returned as they are (no copy), so a clean event costs a walk.
 * A masked string never grows: a token longer than what it replaced is cut at the original's length,
 * so every length bound the value passed still holds. Callers bound the depth (validated input).
 */
export function maskStoredStrings<T>(value: T, location: MaskLocation = 'text', memo?: MaskMemo): MaskedValue<T> {
  const counts: ServerMaskCounts = {};
  const masked = walk(value, location, counts, memo) as T;
  return { value: masked, counts: masked === value ? undefined : counts };
}

/**
 * Detector results by string, for the events of one message: a batch repeats its page's URL, title and
 * selectors in event after event, and a URL costs ~6 µs to mask (3 of the 13 µs a realistic event cost).
 * One per message, never shared: no worker's strings can speed up or be probed through another's.
 */
export class MaskMemo {
  // By the options the detectors ran with (URL, not a URL, guessed), not by location: counts are
  // filed under the location of each occurrence.
  private readonly byOptions: readonly Map<string, MaskedPersonalText>[] = [new Map(), new Map(), new Map()];
  private entries = 0;

  /** {@link maskPersonalText} of `text` with the options of `kind`, remembered within the bounds. */
  mask(text: string, kind: 0 | 1 | 2): MaskedPersonalText {
    const map = this.byOptions[kind]!;
    const known = map.get(text);
    if (known) return known;
    const masked = maskPersonalText(text, MASK_OPTIONS[kind]);
    if (text.length <= MEMO_MAX_CHARS && this.entries < MEMO_MAX_ENTRIES) {
      map.set(text, masked);
      this.entries++;
    }
    return masked;
  }
}

/** Strings longer than this are masked each time: the memo holds page-level strings, not documents. */
const MEMO_MAX_CHARS = 4096;
/** Bounds a memo's own memory to its message's (the strings are the message's; results share them when clean). */
const MEMO_MAX_ENTRIES = 4096;
const MASK_OPTIONS = [{ url: true }, { url: false }, {}] as const;

function walk(value: unknown, location: MaskLocation, counts: ServerMaskCounts, memo: MaskMemo | undefined): unknown {
  if (typeof value === 'string') return maskString(value, location, counts, memo);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const masked = walk(item, location, counts, memo);
      if (masked !== item) (copy ??= value.slice())[i] = masked;
    }
    return copy ?? value;
  }
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    let renamed: Map<string, string> | undefined;
    // for...in over own keys: no entries array per object on the hot path. Validated and parsed JSON
    // objects have no inherited enumerable keys.
    for (const key in object) {
      if (!Object.hasOwn(object, key)) continue;
      const maskedKey = maskKey(key, location, counts, memo);
      if (maskedKey !== key) (renamed ??= new Map()).set(key, maskedKey);
      const item = object[key];
      if (item === null || (typeof item !== 'string' && typeof item !== 'object')) continue;
      if (typeof item === 'string' && SESSION_ID_KEYS.has(key) && SESSION_ID_PATTERN.test(item)) continue;
      const masked = walk(item, cachedLocationOfKey(key, location), counts, memo);
      if (masked !== item) (copy ??= { ...object })[key] = masked;
    }
    return renamed ? withKeysRenamed(copy ?? object, renamed) : (copy ?? value);
  }
  return value;
}

// Keys are stored too: a legacy client's map keyed by URL (`{"https://shop/?email=jo@x.com": 2}`) or
// by typed values would keep personal data in them. Real keys are identifiers, so the keys seen clean
// are remembered (bounded, like the locations) and cost a lookup after the first time.
const CLEAN_KEYS = new Set<string>();
const CLEAN_KEYS_ENTRIES = 4096;

function maskKey(key: string, location: MaskLocation, counts: ServerMaskCounts, memo: MaskMemo | undefined): string {
  if (CLEAN_KEYS.has(key)) return key;
  const masked = maskString(key, location, counts, memo);
  if (masked === key && CLEAN_KEYS.size < CLEAN_KEYS_ENTRIES) CLEAN_KEYS.add(key);
  return masked;
}

/**
 * `object` with its keys renamed as `renamed` says, in their order. Two keys masked alike (`jo@a.com`,
 * `ann@b.org`) both keep their values: a later one is numbered (`[email] 2`), since dropping a value
 * would lose data and merging would change its shape.
 */
function withKeysRenamed(
  object: Record<string, unknown>,
  renamed: ReadonlyMap<string, string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    let name = renamed.get(key) ?? key;
    for (let n = 2; Object.hasOwn(out, name) || (name !== key && Object.hasOwn(object, name)); n++)
      name = `${renamed.get(key) ?? key} ${n}`;
    // Defined, not assigned: a `__proto__` key (JSON.parse makes it an own key) must stay a key.
    Object.defineProperty(out, name, { value: object[key], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function maskString(
  text: string,
  location: MaskLocation,
  counts: ServerMaskCounts,
  memo: MaskMemo | undefined,
): string {
  // Attributes (ids, class names, selectors) are not URLs even when they start with `/` (an XPath).
  const kind = location === 'url' ? 0 : location === 'attribute' ? 1 : 2;
  const masked = memo ? memo.mask(text, kind) : maskPersonalText(text, MASK_OPTIONS[kind]);
  if (masked.hits.length === 0) return text;
  for (const hit of masked.hits) {
    const byLocation = (counts[hit.rule] ??= {});
    byLocation[location] = (byLocation[location] ?? 0) + hit.count;
  }
  return masked.text.length > text.length ? masked.text.slice(0, text.length) : masked.text;
}

/** Adds `more` into `into`. */
export function addCounts(into: ServerMaskCounts, more: ServerMaskCounts): void {
  for (const [rule, byLocation] of Object.entries(more) as [MaskRule, Partial<Record<MaskLocation, number>>][]) {
    const target = (into[rule] ??= {});
    for (const [location, count] of Object.entries(byLocation) as [MaskLocation, number][]) {
      target[location] = (target[location] ?? 0) + count;
    }
  }
}
