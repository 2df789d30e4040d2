/**
 * Admin user names: lower-case letters, digits and `.`, `_`, `-`, starting with a letter or digit, at most
 * 64 characters. Plain ASCII on purpose: no look-alike Unicode names, nothing to escape in logs.
 */
const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Longest user name looked at in a sign-in; anything longer is refused like an unknown one. */
export const MAX_USERNAME_LENGTH = 64;

/** The canonical form of a typed user name (trimmed, lower-case): what is stored and looked up. */
export function normalizeUsername(typed: string): string {
  return typed.trim().toLowerCase();
}

/** True when `username` (already normalized) is a valid user name. */
export function isValidUsername(username: string): boolean {
  return USERNAME.test(username);
}
