/** A refused or failed call: the server's `{ error: { code, message } }` or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

/** What the calls need from the signed-in state. */
export interface ApiSession {
  /** Sent as X-CSRF-Token on every state change; null before sign-in. */
  csrfToken(): string | null;
  /** Any 401: the session is over, back to sign-in. */
  onUnauthorized(): void;
}

let session: ApiSession = { csrfToken: () => null, onUnauthorized: () => undefined };

/** Installs the signed-in state the calls use (App does, once). */
export function setApiSession(next: ApiSession): void {
  session = next;
}

/**
 * Calls the server's API on this origin with the session cookie. State changes carry the CSRF token;
 * a 401 ends the session in the UI (unless `quiet401`, for sign-in and the first /me).
 */
export async function api<T>(
  path: string,
  init: { method?: string; json?: unknown; quiet401?: boolean } = {},
): Promise<T> {
  const method = init.method ?? (init.json === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (init.json !== undefined) headers['Content-Type'] = 'application/json';
  const token = session.csrfToken();
  if (method !== 'GET' && token) headers['X-CSRF-Token'] = token;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });
  } catch {
    throw new ApiError(0, 'network', 'the server could not be reached');
  }
  if (res.status === 401 && !init.quiet401) session.onUnauthorized();
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    const retryAfter = Number(res.headers.get('Retry-After'));
    throw new ApiError(
      res.status,
      body?.error?.code ?? `http_${res.status}`,
      body?.error?.message ?? `the server answered ${res.status}`,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
    );
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** The message to show for a failed call. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
