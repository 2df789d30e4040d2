import type { Clock, TimerHandle } from '@codesight/schema';
import pg from 'pg';
import type { Logger } from '../log';
import { unrefTimer } from '../timers';
import { CREDENTIAL_CHANNEL, parseCredentialChange, type CredentialChange } from './credential-changes';

/** What {@link listenForCredentialChanges} reports to. */
export interface CredentialListenerOptions {
  databaseUrl: string;
  clock: Clock;
  logger: Logger;
  /** A key was revoked or a worker disabled, on any instance. */
  onChange(change: CredentialChange): void;
  /**
   * Changes may have been missed (the connection was down, or a payload was not understood): check
   * every open socket now. Called after every (re)connection.
   */
  onResync(): void;
}

/** A running listener; {@link CredentialListener.stop} ends it. */
export interface CredentialListener {
  stop(): Promise<void>;
}

/** First reconnection delay after the listening connection dropped; doubles up to {@link MAX_RETRY_MS}. */
const FIRST_RETRY_MS = 500;
/** Longest wait between reconnection attempts; the periodic re-check covers the gap meanwhile. */
const MAX_RETRY_MS = 30_000;
/** Fail a connection attempt after this long rather than wait on an unreachable server. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * LISTENs on {@link CREDENTIAL_CHANNEL} on a connection of its own (a pooled one cannot hold a LISTEN),
 * so a key revoked on any instance, or a worker disabled by hand in SQL, closes the sockets open here
 * within milliseconds. The connection is re-opened with backoff when it drops; every (re)connection
 * asks for a full re-check, since notifications sent meanwhile are lost.
 */
export function listenForCredentialChanges(options: CredentialListenerOptions): CredentialListener {
  const { clock, logger } = options;
  let stopped = false;
  let client: pg.Client | undefined;
  let retryMs = FIRST_RETRY_MS;
  /** The pending reconnection timer; `undefined` while none is armed. */
  let retry: TimerHandle = undefined;
  let connecting: Promise<void> | undefined;

  const scheduleReconnect = () => {
    if (stopped || retry !== undefined) return;
    retry = clock.setTimeout(() => {
      retry = undefined;
      connecting = connect();
    }, retryMs);
    unrefTimer(retry);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };

  const connect = async () => {
    const current = new pg.Client({
      connectionString: options.databaseUrl,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      // A silently dead peer (network partition) is noticed by TCP keepalive, not only on the next query.
      keepAlive: true,
    });
    client = current;
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (!stopped) logger.warn('credential_listener_lost', { error });
      if (client === current) client = undefined;
      void current.end().catch(() => {});
      scheduleReconnect();
    };
    current.on('error', onLost);
    current.on('end', () => onLost());
    current.on('notification', (message) => {
      if (message.channel !== CREDENTIAL_CHANNEL) return;
      const change = parseCredentialChange(message.payload);
      if (change) options.onChange(change);
      else options.onResync();
    });
    try {
      await current.connect();
      await current.query(`LISTEN ${CREDENTIAL_CHANNEL}`);
    } catch (error) {
      onLost(error as Error);
      return;
    }
    if (stopped) {
      await current.end().catch(() => {});
      return;
    }
    retryMs = FIRST_RETRY_MS;
    logger.debug('credential_listener_ready');
    options.onResync();
  };

  connecting = connect();
  return {
    async stop() {
      stopped = true;
      if (retry !== undefined) clock.clearTimeout(retry);
      await connecting;
      await client?.end().catch(() => {});
      client = undefined;
    },
  };
}
