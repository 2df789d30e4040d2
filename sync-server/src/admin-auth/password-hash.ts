import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { err, ok, type Result } from '@codesight/schema';

/**
 * Admin passwords hashed with scrypt (memory-hard: guessing on GPUs and ASICs costs memory, not only
 * arithmetic), stored as a self-describing PHC string `$scrypt$ln=15,r=8,p=3$<salt>$<hash>` (base64
 * without padding), so the parameters can be raised later: a stored hash is verified with its own
 * parameters, and {@link needsRehash} tells sign-in to store a new one.
 */

/** scrypt cost parameters: N = 2^ln (CPU/memory cost), r (block size), p (parallelism). */
export interface ScryptParams {
  ln: number;
  r: number;
  p: number;
}

/**
 * N = 2^15, r = 8, p = 3: one of OWASP's equivalent scrypt settings (N=2^17 r=8 p=1 ≈ N=2^15 r=8 p=3),
 * trading memory for repetitions. Each hash holds 128·N·r = 32 MiB instead of 128 MiB, so the two
 * sign-ins allowed to hash at once (sign-in.ts) fit beside a server that idles under 250 MiB, and takes
 * ~170 ms of one libuv thread here: slow enough that an offline guess costs real work, fast enough that
 * a sign-in does not feel slow.
 */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { ln: 15, r: 8, p: 3 };

/**
 * Bounds on parameters read back from the database: a tampered or corrupt row must not make the server
 * allocate gigabytes (2^20 · 8 · 128 B = 1 GiB already) or spin for minutes.
 */
const MAX_LN = 20;
const MAX_R = 32;
const MAX_P = 16;
const SALT_BYTES = 16;
/** 256 bits of output: more adds nothing against guessing. */
const KEY_BYTES = 32;

/**
 * Longest password accepted, in UTF-8 bytes, checked before hashing. scrypt's cost barely depends on the
 * password's length (one PBKDF2 pass over it), but an unbounded one is still memory and CPU an
 * unauthenticated client chooses; 1 KiB fits any passphrase or password manager output.
 */
export const MAX_PASSWORD_BYTES = 1024;
/** Shortest password the CLI sets: admin accounts guard every worker's recordings. */
export const MIN_PASSWORD_CHARS = 12;

/** A parsed stored hash. */
export interface ParsedPasswordHash {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,88})\$([A-Za-z0-9+/]{16,88})$/;

/** Parses a stored hash string, refusing parameters outside the bounds above. */
export function parsePasswordHash(stored: string): Result<ParsedPasswordHash, string> {
  const m = PHC.exec(stored);
  if (!m) return err('not a $scrypt$ hash string');
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (params.ln < 1 || params.ln > MAX_LN) return err(`ln must be 1..${MAX_LN}`);
  if (params.r < 1 || params.r > MAX_R) return err(`r must be 1..${MAX_R}`);
  if (params.p < 1 || params.p > MAX_P) return err(`p must be 1..${MAX_P}`);
  return ok({ params, salt: Buffer.from(m[4]!, 'base64'), hash: Buffer.from(m[5]!, 'base64') });
}

/** Formats a hash as the stored string. */
export function formatPasswordHash(parsed: ParsedPasswordHash): string {
  const { ln, r, p } = parsed.params;
  const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
  return `$scrypt$ln=${ln},r=${r},p=${p}$${b64(parsed.salt)}$${b64(parsed.hash)}`;
}

/**
 * The password as hashed: Unicode NFC, so the same passphrase typed on systems that compose accents
 * differently is the same password (RFC 8265's OpaqueString profile does the same).
 */
function passwordBytes(password: string): Buffer {
  return Buffer.from(password.normalize('NFC'), 'utf8');
}

/** True when `password` is within {@link MAX_PASSWORD_BYTES}. */
export function isPasswordLengthAcceptable(password: string): boolean {
  // The cheap upper bound first: normalizing a megabyte string is work too.
  return password.length <= MAX_PASSWORD_BYTES && passwordBytes(password).length <= MAX_PASSWORD_BYTES;
}

/** Why a new password is refused (too short or too long), or undefined when it is acceptable. */
export function newPasswordProblem(password: string): string | undefined {
  if ([...password].length < MIN_PASSWORD_CHARS) return `password must have at least ${MIN_PASSWORD_CHARS} characters`;
  if (!isPasswordLengthAcceptable(password)) return `password must be at most ${MAX_PASSWORD_BYTES} bytes`;
  return undefined;
}

/** scrypt on the libuv thread pool: the event loop keeps serving while it runs. */
function derive(password: Buffer, salt: Buffer, params: ScryptParams, keyBytes: number): Promise<Buffer> {
  const N = 2 ** params.ln;
  // OpenSSL needs 128·r·(N + p + 2) bytes; Node's default cap (32 MiB) is exactly one default hash's V.
  const maxmem = 128 * params.r * (N + params.p + 2) + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyBytes, { N, r: params.r, p: params.p, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Hashes a password (whose length the caller checked) with a fresh salt. */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  if (!isPasswordLengthAcceptable(password)) throw new RangeError('password too long to hash');
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(passwordBytes(password), salt, params, KEY_BYTES);
  return formatPasswordHash({ params, salt, hash });
}

/**
 * True when `password` matches `stored`. The comparison is constant-time; an unparseable stored value
 * or an over-long password is false, never an exception.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parsePasswordHash(stored);
  if (!parsed.ok || !isPasswordLengthAcceptable(password)) return false;
  const { params, salt, hash } = parsed.value;
  if (hash.length < 16) return false;
  const candidate = await derive(passwordBytes(password), salt, params, hash.length);
  return timingSafeEqual(candidate, hash);
}

/** True when `stored` was made with other parameters than `current`: sign-in stores a fresh hash. */
export function needsRehash(stored: string, current: ScryptParams = DEFAULT_SCRYPT_PARAMS): boolean {
  const parsed = parsePasswordHash(stored);
  if (!parsed.ok) return true;
  const { ln, r, p } = parsed.value.params;
  return ln !== current.ln || r !== current.r || p !== current.p;
}
