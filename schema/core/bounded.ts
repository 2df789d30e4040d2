import * as v from 'valibot';
import { LIMITS, MAX_EPOCH_MS, MAX_INT4 } from '../limits';

/**
 * Schema building blocks whose cost is bounded before the work starts, and numbers that fit the
 * columns they end up in. A value the database cannot hold must be refused here, as a permanent
 * `validation_failed`, not by a failing INSERT that a client would retry forever.
 */

/** A finite number (JSON's `1e999` parses to Infinity, which no column or consumer wants). */
export const FiniteSchema = v.pipe(v.number(), v.finite());

/** A whole number in `min`..2^31-1: what a PostgreSQL `integer` column holds. */
export function int4Schema(min = 0) {
  return v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(MAX_INT4));
}

/** A whole number JS represents exactly (|n| < 2^53), so it also fits a `bigint` column. */
export const SafeIntegerSchema = v.pipe(v.number(), v.safeInteger());

/** Whole epoch milliseconds from 1970 to 9999-12-31 ({@link MAX_EPOCH_MS}). */
export const EpochMsSchema = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_EPOCH_MS));

/** Epoch milliseconds as old clients send them (fractions allowed: `performance.now()` style), 1970..9999. */
export const LooseEpochMsSchema = v.pipe(v.number(), v.minValue(0), v.maxValue(MAX_EPOCH_MS));

/** An ISO 8601 time between 1970 and 9999-12-31, the range {@link EpochMsSchema} allows. */
export const IsoTimeSchema = v.pipe(
  v.string(),
  v.maxLength(64),
  v.isoTimestamp(),
  v.check((text) => {
    const ms = Date.parse(text);
    return ms >= 0 && ms <= MAX_EPOCH_MS;
  }, 'time must be between 1970 and 9999-12-31'),
  // Date.parse rolls 2025-02-30 over to March 2; a day the month does not have is refused instead.
  v.check(isCalendarDate, 'time must name a day its month has'),
);

/** Whether the `YYYY-MM-DD` an ISO time starts with is a real day. */
function isCalendarDate(text: string): boolean {
  const [year, month, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}

/**
 * An array of `item` whose length is checked BEFORE any item is validated: `v.pipe(v.array(item),
 * v.maxLength(n))` validates every item first, so 60 000 stubs cost 60 000 validations before the
 * bound refuses them.
 */
export function boundedArray<TItem extends v.GenericSchema>(item: TItem, max: number, min = 0) {
  return v.pipe(
    v.custom<unknown[]>(
      (input) => Array.isArray(input),
      (issue) => `Invalid type: Expected Array but received ${issue.received}`,
    ),
    v.minLength(min),
    v.maxLength(max),
    v.array(item),
  );
}

/**
 * Why `value` is nested deeper than `maxDepth` containers or holds an array of more than `maxItems`,
 * or undefined when it does neither. Iterative (no recursion to overflow) and stops at the first
 * problem. A scalar has depth 0, `{}` and `[]` depth 1.
 */
export function jsonShapeProblem(value: unknown, maxDepth: number, maxItems: number): string | undefined {
  const stack: { node: object; depth: number }[] = [];
  const visit = (node: unknown, depth: number) => {
    if (typeof node === 'object' && node !== null) stack.push({ node, depth });
  };
  visit(value, 1);
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { node, depth } = top;
    if (depth > maxDepth) return `nested deeper than ${maxDepth} levels`;
    if (Array.isArray(node)) {
      if (node.length > maxItems) return `an array of ${node.length} items (at most ${maxItems})`;
      for (const item of node as unknown[]) visit(item, depth + 1);
    } else {
      for (const item of Object.values(node)) visit(item, depth + 1);
    }
  }
  return undefined;
}

/**
 * Whether the characters of `value`'s strings and object keys add up to more than `limit`. Iterative,
 * and stops as soon as they do: it bounds the work a value can cause before that work (masking,
 * storing). Assumes a shape already checked ({@link jsonShapeProblem}).
 */
export function jsonTextCharsExceed(value: unknown, limit: number): boolean {
  let chars = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') chars += node.length;
    else if (Array.isArray(node)) for (const item of node as unknown[]) stack.push(item);
    else if (typeof node === 'object' && node !== null) {
      for (const key in node) {
        if (!Object.hasOwn(node, key)) continue;
        chars += key.length;
        stack.push((node as Record<string, unknown>)[key]);
      }
    }
    if (chars > limit) return true;
  }
  return false;
}

/**
 * Any JSON value nested at most {@link LIMITS.jsonDepth} levels, with arrays of at most
 * {@link LIMITS.arrayItems} items: the free-form fields old clients send, which are stored as jsonb.
 */
export const JsonValueSchema = v.custom<unknown>(
  (input) => jsonShapeProblem(input, LIMITS.jsonDepth, LIMITS.arrayItems) === undefined,
  `must be JSON nested at most ${LIMITS.jsonDepth} levels deep, with arrays of at most ${LIMITS.arrayItems} items`,
);

/** A free-form JSON object (string keys, {@link JsonValueSchema} values). */
export const JsonObjectSchema = v.record(v.string(), JsonValueSchema);
