/** Tells when connectivity came back, from samples of a boolean such as `navigator.onLine`. */
export interface OnlineWatch {
  /** Samples now; true exactly once per offline → online transition seen since the last sample. */
  cameOnline(): boolean;
}

/**
 * Detects the browser going from offline to online by sampling `isOnline`. Chrome dispatches no
 * `online` event in an extension service worker, although `navigator.onLine` there follows the network
 * (seen in Chromium 156: DevTools network emulation flips `navigator.onLine` in the worker and fires
 * `offline`/`online` in pages, but never in the worker). Without the event, a worker that was offline
 * for minutes would wait out a backoff of up to 5 min after the network returns; sampling restores the
 * immediate reconnect the event was meant to trigger.
 */
export function createOnlineWatch(isOnline: () => boolean): OnlineWatch {
  let wasOnline = isOnline();
  return {
    cameOnline() {
      const online = isOnline();
      const came = online && !wasOnline;
      wasOnline = online;
      return came;
    },
  };
}
