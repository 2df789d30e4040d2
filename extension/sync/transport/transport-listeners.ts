import type { SyncServerMessage, TransportListener, TransportState } from './transport';

/** The subscribers of one transport, as both transports keep them. */
export interface TransportListeners {
  emit: (state: TransportState) => void;
  deliver: (message: SyncServerMessage) => void;
  /** `SyncTransport.subscribe`: adds `listener`, returns the unsubscribe function. */
  subscribe: (listener: TransportListener) => () => void;
}

/** An empty set of subscribers. */
export function createTransportListeners(): TransportListeners {
  const listeners = new Set<TransportListener>();
  return {
    emit: (state) => listeners.forEach((l) => l.onState(state)),
    deliver: (message) => listeners.forEach((l) => l.onMessage(message)),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
