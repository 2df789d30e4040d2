import type { SyncTransport } from '../transport/transport';

/**
 * Asks the HTTP twin whether the server answers over HTTP right now, to tell a blocked WebSocket (HTTP
 * works) from an outage (nothing works). It connects the transport, whose `open` already means an
 * authenticated request succeeded (for the HTTP transport: an empty `resume`, which changes nothing),
 * takes the first outcome and closes the transport again, so it is idle for the next user.
 *
 * `done` receives the answer at most once; the returned function cancels the check (no answer then).
 * Only for a transport nobody else is using at the time.
 */
export function startHttpCheck(http: SyncTransport, done: (works: boolean) => void): () => void {
  let finished = false;
  const unsubscribe = http.subscribe({
    onState(state) {
      if (finished || state.status === 'connecting') return;
      finished = true;
      unsubscribe();
      if (state.status === 'open') http.close('http check done');
      done(state.status === 'open');
    },
    onMessage() {},
  });
  http.connect();
  return () => {
    if (finished) return;
    finished = true;
    unsubscribe();
    http.close('http check cancelled');
  };
}
