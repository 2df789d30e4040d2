import { createHash, randomBytes } from 'node:crypto';

/** Prefix of every issued key: lets secret scanners and humans recognise a CodeSight key. */
const API_KEY_PREFIX = 'csk_';

/** 32 random bytes: 256 bits, beyond any guessing, so a fast unsalted hash is enough to store it. */
const KEY_BYTES = 32;

/** Characters of the key (after `csk_`) kept in clear as `prefix`, to tell keys apart in listings. */
const VISIBLE_PREFIX_CHARS = 8;

/** A freshly minted key: `key` is shown once and never stored; `hash` and `prefix` are stored. */
export interface MintedApiKey {
  key: string;
  hash: string;
  prefix: string;
}

/** Mints a new worker API key: `csk_` + 32 random bytes in base64url. */
export function mintApiKey(): MintedApiKey {
  const key = `${API_KEY_PREFIX}${randomBytes(KEY_BYTES).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, API_KEY_PREFIX.length + VISIBLE_PREFIX_CHARS) };
}

/**
 * SHA-256 hex of a key, the form stored in `api_keys.key_hash`. Keys are high-entropy random
 * strings, so a slow password hash would buy nothing and cost a bcrypt per request.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
