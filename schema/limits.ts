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
  /** Class names kept per element. */
  classes: 32,
  /** Entries in frame/shadow paths. */
  pathDepth: 32,
  /** Events per legacy interaction_data array or per sync batch. */
  eventsPerBatch: 5_000,
} as const;
