/**
 * Who is calling: a worker (by API key) or an admin (by JWT, valid until `expiresAt`, epoch ms: an open
 * socket is closed then).
 */
export type Principal =
  { kind: 'worker'; workerId: string; keyId: string } | { kind: 'admin'; subject: string; expiresAt: number };

/** What a client presented: an API key, an admin JWT, or both (then the key is tried). */
export interface Credential {
  apiKey?: string | undefined;
  token?: string | undefined;
}

/** The id logged for a principal: never the credential itself. */
export function principalLabel(p: Principal): string {
  return p.kind === 'worker' ? `worker:${p.workerId}` : `admin:${p.subject}`;
}

/** What connection caps count by: the API key (a worker may have several), or the admin subject. */
export function credentialIdOf(p: Principal): string {
  return p.kind === 'worker' ? `key:${p.keyId}` : `admin:${p.subject}`;
}
