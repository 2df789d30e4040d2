/** Who is calling: a worker (by API key) or an admin (by JWT). */
export type Principal = { kind: 'worker'; workerId: string; keyId: string } | { kind: 'admin'; subject: string };

/** What a client presented: an API key, an admin JWT, or both (then the key is tried). */
export interface Credential {
  apiKey?: string | undefined;
  token?: string | undefined;
}

/** The id logged for a principal: never the credential itself. */
export function principalLabel(p: Principal): string {
  return p.kind === 'worker' ? `worker:${p.workerId}` : `admin:${p.subject}`;
}
