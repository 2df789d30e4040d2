import type { ColumnType } from 'kysely';

/**
 * Column shapes shared by the table files. Timestamps are `timestamptz(3)`: millisecond precision,
 * the precision of a JS Date, so a value read back and compared (keyset cursors) is exact.
 */

/** A required timestamp: read as Date, written as Date or ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** A timestamp the database fills with `now()` on insert. */
export type TimestampDefaultNow = ColumnType<Date, Date | string | undefined, Date | string>;

/** A timestamp that stays null until something happens (revoked, completed, uploaded...). */
export type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/**
 * A jsonb column: selected as the parsed value, written as the JSON text from `toJsonb`. Writing text
 * (never a JS value) matters: node-postgres would turn a JS array into a PostgreSQL array literal.
 */
export type Jsonb<T> = ColumnType<T, string, string>;

/** A jsonb column with a database default (`'{}'` / `'[]'`). */
export type JsonbWithDefault<T> = ColumnType<T, string | undefined, string>;

/** A nullable jsonb column. */
export type NullableJsonb<T> = ColumnType<T | null, string | null | undefined, string | null>;

/** An integer column with a database default. */
export type IntWithDefault = ColumnType<number, number | undefined, number>;

/** A plain JSON object as stored in a jsonb column. */
export type JsonObject = Record<string, unknown>;
