/**
 * Size limits shared by the extension (before storing) and the server (before accepting).
 * They bound what one hostile or buggy page can push into a session, not what is typical.
 */
export const LIMITS = {
  /** Visible text kept for a target element; the issue asks for trimmed text of at most 200 characters. */
  targetText: 200,
  /** URLs: long tracking URLs of shops reach a few KiB; 8 KiB is the practical browser/server cap. */
  url: 8192,
  /** Page titles, accessible names, labels. */
  label: 1024,
  /** One CSS selector / XPath. Deep shadow or nth-child chains rarely pass 1 KiB. */
  selector: 2048,
  /** A captured input value (after masking). A long review text fits; a pasted document does not. */
  inputValue: 10_000,
  /**
   * Characters of an action's HTML neighbourhood snippet (`neighbourhoodHtml`): a product card or a form
   * row with its labels serializes to 0.5-3 KiB; 4 KiB holds that with room, and keeps a click event's
   * stored size within ~3x of one without a snippet.
   */
  neighbourhoodHtml: 4096,
  /** Class names kept per element. */
  classes: 32,
  /** Entries in frame/shadow paths. */
  pathDepth: 32,
  /** Events per legacy interaction_data array or per sync batch. */
  eventsPerBatch: 5_000,
  /**
   * Characters (strings and keys) of one legacy interaction. The server masks every string it stores,
   * at up to ~0.2 µs a character on hostile text, one interaction at a time: this bounds how long one
   * interaction holds the process (~13 ms) before it yields to other workers. The named fields are
   * bounded below it (an input value 10 000, a URL 8 KiB); old clients' free-form parts are small.
   */
  legacyInteractionChars: 64 * 1024,
  /** Session ids per `resume`: more sessions with unsynced work than anyone records in a week. */
  resumeSessions: 1_000,
  /** Rules in a masking policy: there are 11 rule names; the bound leaves room for new ones. */
  maskRules: 64,
  /**
   * Nesting of a free-form JSON value old clients send (`context`, `elementAnalysis`, session metadata,
   * unknown keys). Real ones are a few levels deep; the bound keeps every recursive walk over stored
   * JSON (JSON.stringify, PostgreSQL's jsonb parser) far from its stack limit.
   */
  jsonDepth: 32,
  /**
   * Nesting of a whole message, checked while its JSON text is parsed: a message is at most 5 levels
   * of protocol structure around a free-form value of {@link LIMITS.jsonDepth}.
   */
  messageDepth: 64,
  /**
   * Items of any one array in a message, checked while its JSON text is parsed. The longest array a
   * client needs is a batch's events ({@link LIMITS.eventsPerBatch}).
   */
  arrayItems: 5_000,
  /** Characters of an error message sent back: enough to name the field and the problem, never an echo of the input. */
  errorMessage: 1_000,
  /**
   * Bytes of JSON of a session's free-form metadata (the extra keys of a legacy `session_start`), for
   * one message and for what repeated starts merge into the row. Old clients send a task id, a shift, a
   * note: a few hundred bytes. 16 KiB leaves room for that and keeps every session listing's row small
   * (unbounded, 40 KB of gzip became 40 MiB of stored metadata).
   */
  sessionMetadataBytes: 16 * 1024,
  /** Top-level metadata keys a session may hold (merges add keys, so they are counted after merging). */
  sessionMetadataKeys: 64,
  /** Nesting of session metadata: `{}` is 1 level. Real metadata is flat or one object deep. */
  sessionMetadataDepth: 8,
} as const;

/** The largest value of a PostgreSQL `integer` column (sequences, counts, indexes, pixel sizes). */
export const MAX_INT4 = 2_147_483_647;

/** The largest event sequence: `interactions.sequence` is an `integer` column. */
export const MAX_SEQUENCE = MAX_INT4;

/**
 * The largest screenshot compression ratio (raw RGBA bytes / encoded bytes). The column is a `real`
 * (float4, up to ~3.4e38); a 16384 x 16384 frame encoded into a few bytes stays far below 1e9.
 */
export const MAX_COMPRESSION_RATIO = 1e9;

/**
 * The latest epoch-ms time accepted anywhere (9999-12-31): far beyond any real event, inside the range
 * of both a JS Date and a PostgreSQL timestamptz (whose text form has four-digit years).
 */
export const MAX_EPOCH_MS = Date.UTC(9999, 11, 31);

/**
 * Most JSON bytes one compressed byte may inflate to. Recorded events compress ~11x in practice and
 * ~75x when every event is the same but for its time; 200 leaves room for that while a "zip bomb"
 * (deflate reaches ~1000x on repeated stubs) is refused while inflating instead of after.
 */
export const MAX_INFLATE_RATIO = 200;

/** Inflated bytes every compressed message may have whatever its ratio: small messages compress poorly or well, both harmless. */
export const MIN_INFLATE_ALLOWANCE = 64 * 1024;

/**
 * The bound on inflating `compressedBytes` of gzip: {@link MAX_INFLATE_RATIO} times its size (at least
 * {@link MIN_INFLATE_ALLOWANCE}), never more than the configured `maxInflatedBytes`.
 */
export function inflatedSizeLimit(compressedBytes: number, maxInflatedBytes: number): number {
  return Math.min(maxInflatedBytes, Math.max(MIN_INFLATE_ALLOWANCE, compressedBytes * MAX_INFLATE_RATIO));
}
