import {
  encodeCompressed,
  HttpErrorBodySchema,
  PERMANENT_ERROR_CODES,
  SyncServerMessageSchema,
  systemClock,
  validate,
  type Clock,
  type ErrorMessage,
} from '@codesight/schema';
import type { SyncClientMessage, SyncServerMessage, SyncTransport } from './transport';
import { createTransportListeners } from './transport-listeners';

/** Where and how the HTTP transport talks to the server. */
export interface HttpTransportOptions {
  /** `https://host[:port][/prefix]`. */
  baseUrl: string;
  apiKey: string;
  fetch?: typeof fetch;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Times the request timeout; the system clock unless a test drives a fake one. */
  clock?: Clock;
}

/** A batch POST carries up to a few hundred KiB; 30 s covers slow uplinks without hanging forever. */
const DEFAULT_TIMEOUT_MS = 30_000;

const PATHS: Record<SyncClientMessage['type'], string> = {
  batch: '/api/sync/batch',
  resume: '/api/sync/resume',
  session_close: '/api/sync/session-close',
};

/**
 * The HTTP twin of the sync WebSocket, for networks that cannot hold one: each message is one POST with
 * the identical payload (batches gzip-compressed), each response one inbound message. "Open" means the
 * server answered an authenticated request; a network failure closes the transport.
 */
export function createHttpTransport(options: HttpTransportOptions): SyncTransport {
  const { emit, deliver: deliverToAll, subscribe } = createTransportListeners();
  const doFetch = options.fetch ?? fetch.bind(globalThis);
  const clock = options.clock ?? systemClock;
  let generation = 0;
  let open = false;
  const deliver = (gen: number, message: SyncServerMessage) => {
    if (gen === generation && open) deliverToAll(message);
  };
  const lose = (gen: number, reason: string) => {
    if (gen !== generation || !open) return;
    open = false;
    generation++;
    emit({ status: 'closed', reason });
  };

  const request = async (path: string, init: RequestInit): Promise<Response> => {
    const controller = new AbortController();
    const timer = clock.setTimeout(() => controller.abort(), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    try {
      return await doFetch(`${options.baseUrl}${path}`, {
        ...init,
        signal: controller.signal,
        headers: { Authorization: `Bearer ${options.apiKey}`, ...(init.headers as Record<string, string>) },
      });
    } finally {
      clock.clearTimeout(timer);
    }
  };

  return {
    kind: 'http',
    connect() {
      if (open) return;
      const gen = ++generation;
      emit({ status: 'connecting' });
      // An empty resume is the cheapest authenticated request with no side effect.
      request(PATHS.resume, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ type: 'resume', sessionIds: [] }),
      })
        .then((res) => {
          if (gen !== generation) return;
          if (res.ok) {
            open = true;
            emit({ status: 'open' });
          } else {
            generation++;
            emit({
              status: 'closed',
              reason: res.status === 401 ? 'authentication failed (HTTP 401)' : `server answered HTTP ${res.status}`,
            });
          }
        })
        .catch((err: unknown) => {
          if (gen !== generation) return;
          generation++;
          emit({ status: 'closed', reason: `cannot reach ${options.baseUrl}: ${(err as Error).message}` });
        });
    },
    send(message) {
      if (!open) return;
      const gen = generation;
      const body = message.type === 'batch' ? encodeCompressed(message) : JSON.stringify(message);
      const headers =
        message.type === 'batch'
          ? { 'Content-Type': 'application/octet-stream' }
          : { 'Content-Type': 'application/json' };
      request(PATHS[message.type], { method: 'POST', headers, body: body as NonNullable<RequestInit['body']> })
        .then(async (res) => {
          const json: unknown = await res.json().catch(() => null);
          const parsed = validate(SyncServerMessageSchema, json);
          if (res.ok && parsed.ok) return deliver(gen, parsed.value);
          const error = validate(HttpErrorBodySchema, json);
          if (error.ok && res.status < 500 && res.status !== 429 && res.status !== 401) {
            // Refusals travel like the WebSocket's `error` message, so the engine treats both alike.
            const refusal: ErrorMessage = {
              type: 'error',
              code: error.value.error.code,
              message: error.value.error.message,
              batchId: message.type === 'batch' ? message.batchId : undefined,
              retryable: !PERMANENT_ERROR_CODES.includes(error.value.error.code),
            };
            return deliver(gen, refusal);
          }
          lose(gen, `server answered HTTP ${res.status}${error.ok ? `: ${error.value.error.message}` : ''}`);
        })
        .catch((err: unknown) => lose(gen, `request failed: ${(err as Error).message}`));
    },
    close() {
      open = false;
      generation++;
    },
    subscribe,
  };
}
