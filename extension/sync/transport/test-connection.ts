import { fail, ok, type Clock, type Failure, type Result } from '@codesight/schema';
import { sendBounded } from './bounded-fetch';
import { deriveServerAddress } from './server-address';

/** Bound on each of the two requests: long enough for a slow link, short enough for a person waiting. */
export const CONNECTION_TEST_TIMEOUT_MS = 8_000;

/** What a worker can be told is wrong, each with a message that says what to do. */
export type ConnectionProblem = Failure<
  'invalid_server_address' | 'missing_key' | 'unreachable' | 'not_a_collector' | 'refused_key' | 'server_error'
>;

/** The server answered and took the key. */
export interface ConnectionOk {
  httpBase: string;
  /** Round trip of the authenticated request, ms. */
  latencyMs: number;
}

/**
 * Checks the worker's settings the way sync will use them, and says plainly what is wrong: the address
 * form, no answer at that address, an answer that is not a collector, or a refused key. Two requests:
 * the public `/health`, then one page of the worker's own sessions with the key.
 */
export async function testConnection(
  settings: { serverUrl: string; apiKey: string },
  deps: { fetch: typeof fetch; clock: Clock },
): Promise<Result<ConnectionOk, ConnectionProblem>> {
  const address = deriveServerAddress(settings.serverUrl);
  if (!address.ok) return address;
  const { httpBase } = address.value;
  if (settings.apiKey.trim() === '') return fail('missing_key', 'enter the API key you were given');

  const health = await sendBounded(deps, `${httpBase}/health`, {}, CONNECTION_TEST_TIMEOUT_MS, httpBase);
  if (!health.ok) {
    return fail(
      'unreachable',
      `no answer from ${httpBase}: check the address and your connection (${health.error.message})`,
    );
  }
  if (health.value.status !== 200 || !looksLikeHealth(health.value.text)) {
    return fail(
      'not_a_collector',
      `${httpBase} answers, but not as a CodeSight collector (HTTP ${health.value.status}): check the address`,
    );
  }

  const started = deps.clock.now();
  const probe = await sendBounded(
    deps,
    `${httpBase}/api/extension/sessions?limit=1`,
    { headers: { authorization: `Bearer ${settings.apiKey.trim()}` } },
    CONNECTION_TEST_TIMEOUT_MS,
    httpBase,
  );
  if (!probe.ok) return fail('unreachable', `the server stopped answering: ${probe.error.message}`);
  const { status } = probe.value;
  if (status === 401 || status === 403) {
    return fail('refused_key', 'the server refused the API key: check it, or ask for a new one');
  }
  if (status !== 200) return fail('server_error', `the server answered HTTP ${status}; try again later`);
  return ok({ httpBase, latencyMs: deps.clock.now() - started });
}

function looksLikeHealth(text: string): boolean {
  try {
    return (JSON.parse(text) as { status?: unknown }).status === 'ok';
  } catch {
    return false;
  }
}
