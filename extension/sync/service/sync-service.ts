import {
  systemClock,
  type Clock,
  type PrivacyPolicy,
  type PublishedSyncStatus,
  type Settings,
} from '@codesight/schema';
import { createSyncEngine } from '../engine/engine';
import type { KickReason, SyncEngine } from '../engine/engine-types';
import type { SyncStore } from '../store/store';
import { createHttpTransport } from '../transport/http-transport';
import { deriveServerAddress } from '../transport/server-address';
import { createWsTransport, type WebSocketLike } from '../transport/ws-transport';
import type { MediaStore } from '../media/media-store';
import { createMediaUploader, type MediaUploader, type MediaUploadStatus } from '../media/media-uploader';

/** What the service needs from the runtime, injected so it runs in Node tests as in the service worker. */
export interface SyncServiceDeps {
  /** Where the recorder's events wait; outlives every engine the service builds. */
  syncStore: SyncStore;
  /** Where the recorder's screenshots and audio wait. */
  mediaStore: MediaStore;
  createSocket: (url: string) => WebSocketLike;
  fetch: typeof fetch;
  publish: (status: PublishedSyncStatus) => void;
  /** Called whenever the backlog goes from none to some or back, to keep (or drop) the wake-up alarm. */
  onBacklogChange?: (hasBacklog: boolean) => void;
  /** Time for the engine, its transports, the uploader and the published `updatedAt`; the system clock by default. */
  clock?: Clock;
  /** Backoff jitter and batch-id entropy; seeded in tests. */
  random?: () => number;
  /** The server (its HTTP base) handed over its privacy policy on authentication; keep it (issue 14). */
  onPrivacyPolicy?: (policy: PrivacyPolicy, httpBase: string) => void;
}

/** The one sync engine of the background, rebuilt whenever the server address or key changes. */
export interface SyncService {
  configure(settings: Pick<Settings, 'serverUrl' | 'apiKey'>): Promise<void>;
  kick(reason?: KickReason): void;
  /**
   * The recorder stored media (a screenshot, the last chunks of a stopped session): look for uploads.
   * Chunks recorded in between are found by the uploader's next ack or its poll.
   */
  mediaStored(): void;
  retryQuarantined(sessionId: string): Promise<void>;
  stop(): Promise<void>;
  status(): PublishedSyncStatus;
}

const IDLE: Omit<PublishedSyncStatus, 'updatedAt'> = {
  configured: false,
  connection: 'offline',
  pendingEvents: 0,
  pendingBytes: 0,
  quarantined: [],
};

/**
 * Owns the engine's lifecycle: no server configured → no engine (recording stays local); configured →
 * one engine over the injected store with the WebSocket and its HTTP twin derived from the one address
 * the worker typed. Every engine status change is published for the popup.
 */
export function createSyncService(deps: SyncServiceDeps): SyncService {
  const clock = deps.clock ?? systemClock;
  const now = () => clock.now();
  let engine: SyncEngine | null = null;
  let media: MediaUploader | null = null;
  let unsubscribe: (() => void) | null = null;
  let configKey = '';
  let current: PublishedSyncStatus = { ...IDLE, updatedAt: now() };
  let hadBacklog: boolean | undefined;

  const publish = (status: Omit<PublishedSyncStatus, 'updatedAt'>) => {
    current = { ...status, updatedAt: now() };
    deps.publish(current);
    const backlog = status.configured && (status.pendingEvents > 0 || status.connection !== 'live');
    if (backlog !== hadBacklog) {
      hadBacklog = backlog;
      deps.onBacklogChange?.(backlog);
    }
  };

  const stopEngine = async () => {
    unsubscribe?.();
    unsubscribe = null;
    const [oldEngine, oldMedia] = [engine, media];
    engine = null;
    media = null;
    await Promise.all([oldEngine?.stop(), oldMedia?.stop()]);
  };

  return {
    async configure({ serverUrl, apiKey }) {
      const key = `${serverUrl}\n${apiKey}`;
      if (key === configKey && (engine || !serverUrl || !apiKey)) return;
      configKey = key;
      await stopEngine();
      if (!serverUrl || !apiKey) {
        publish({ ...IDLE, configError: serverUrl && !apiKey ? 'enter the API key to sync' : undefined });
        return;
      }
      const address = deriveServerAddress(serverUrl);
      if (!address.ok) {
        publish({ ...IDLE, configured: true, configError: address.error.message });
        return;
      }
      const { wsUrl, httpBase } = address.value;
      const endpoints = { wsUrl, httpBase };
      engine = createSyncEngine({
        store: deps.syncStore,
        ws: createWsTransport({
          url: wsUrl,
          apiKey,
          createSocket: deps.createSocket,
          clock,
          onPrivacyPolicy: (policy) => deps.onPrivacyPolicy?.(policy, httpBase),
        }),
        http: createHttpTransport({ baseUrl: httpBase, apiKey, fetch: deps.fetch, clock }),
        clock,
        random: deps.random,
      });
      // Media go after the events they belong to are acked: every new ack is a reason to look again.
      const uploader = createMediaUploader({
        store: deps.mediaStore,
        baseUrl: httpBase,
        apiKey,
        fetch: deps.fetch,
        clock,
        random: deps.random,
      });
      media = uploader;
      const sync = engine;
      let lastSyncAt: number | undefined;
      const onStatus = () => {
        const s = sync.getStatus();
        if (s.lastSyncAt !== lastSyncAt) {
          lastSyncAt = s.lastSyncAt;
          uploader.kick('acked');
        }
        publish({ configured: true, endpoints, ...s, media: mediaSummary(uploader.getStatus()) });
      };
      const unsubscribeEngine = sync.subscribe(onStatus);
      const unsubscribeMedia = uploader.subscribe(onStatus);
      unsubscribe = () => {
        unsubscribeEngine();
        unsubscribeMedia();
      };
      onStatus();
      sync.start();
      uploader.start();
    },
    kick(reason) {
      engine?.kick(reason);
      if (reason === 'online') media?.kick('online');
    },
    mediaStored() {
      media?.kick('acked');
    },
    async retryQuarantined(sessionId) {
      await Promise.all([engine?.retryQuarantined(sessionId), media?.retryQuarantined(sessionId)]);
    },
    stop: stopEngine,
    status: () => current,
  };
}

/** The popup's view of the uploader. */
function mediaSummary(s: MediaUploadStatus): NonNullable<PublishedSyncStatus['media']> {
  return {
    pendingItems: s.pendingItems,
    pendingBytes: s.pendingBytes,
    waitingForAck: s.waitingForAck,
    lastUploadAt: s.lastUploadAt,
    lastError: s.lastError,
    quarantined: s.quarantined.map(({ kind, id, sessionId, code, reason, at }) => ({
      kind,
      id,
      sessionId,
      code,
      reason,
      at,
    })),
  };
}
