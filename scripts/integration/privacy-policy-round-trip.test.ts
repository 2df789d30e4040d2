import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import WebSocket from 'ws';
import * as v from 'valibot';
import {
  ok,
  SettingsSchema,
  STANDARD_PRIVACY_POLICY,
  systemClock,
  type CaptureEnvelope,
  type PrivacyPolicy,
} from '@codesight/schema';
import { sampleCapturedEvents } from '@codesight/schema/testing';
import { AppDB } from '../../extension/db/app-db';
import {
  fetchPrivacyPolicy,
  policyInForce,
  type StoredPrivacyPolicy,
} from '../../extension/privacy/privacy-policy-store';
import { runCommand, type CommandDeps } from '../../extension/recording/commands';
import { storeCapturedEvents } from '../../extension/recording/store-captured';
import { DexieMediaStore } from '../../extension/sync/media/dexie-media-store';
import { createSyncService } from '../../extension/sync/service/sync-service';
import { DexieSyncStore } from '../../extension/sync/store/dexie-store';
import type { WebSocketLike } from '../../extension/sync/transport/ws-transport';
import { startPostgres, type PostgresCluster } from '../lib/postgres-cluster';
import { startServerProcess, TEST_API_KEY, type ServerProcess } from '../e2e/testing/server-process';
import { waitFor } from '../e2e/testing/wait';

/**
 * The policy round trip of issue 14 with the extension's own modules in Node against a real server
 * process on a real PostgreSQL: the server's PRIVACY_* settings → `authentication_success` on the sync
 * socket (and GET /api/extension/policy) → the copy the extension keeps → the session record → the
 * synced session row on the server. Offline, the kept copy still applies; with no server, standard does.
 */

let cluster: PostgresCluster;
let server: ServerProcess;
let db: AppDB;

beforeAll(async () => {
  cluster = await startPostgres();
  server = await startServerProcess({
    DATABASE_URL: cluster.url,
    PRIVACY_POLICY: 'strict',
    PRIVACY_MASK_FIELDS: 'badge, member id',
    PRIVACY_BLOCK_SELECTORS: '#account; .pii',
  });
  db = new AppDB('privacy-round-trip');
}, 120_000);

afterAll(async () => {
  await db?.delete();
  await server?.dispose();
  await cluster?.stop();
});

/** Command handling as the background wires it, minus the browser: the policy comes from `kept`. */
function commandDeps(kept: () => StoredPrivacyPolicy | undefined, serverUrl: string): CommandDeps {
  return {
    db,
    clock: systemClock,
    environment: () => ({ userAgent: 'node-integration' }),
    settings: () =>
      Promise.resolve(v.parse(SettingsSchema, { serverUrl, apiKey: TEST_API_KEY, autoDownloadJson: false })),
    privacyPolicy: (settings) => Promise.resolve(policyInForce(kept(), settings.serverUrl)),
    publishRecording: () => Promise.resolve(),
    download: () => Promise.resolve(ok({ filename: 'unused' })),
    syncKick: () => undefined,
    syncRetry: () => Promise.resolve(),
    recorder: {
      start: () => Promise.resolve(),
      stop: () => Promise.resolve(),
      control: () => Promise.resolve(ok({})),
    },
  };
}

async function serverSessionPolicy(sessionId: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  try {
    const rows = await client.query<{ masking_policy: unknown }>('select masking_policy from sessions where id = $1', [
      sessionId,
    ]);
    return rows.rows[0]?.masking_policy;
  } finally {
    await client.end();
  }
}

const envelopes = (sessionId: string): CaptureEnvelope[] =>
  sampleCapturedEvents()
    .slice(0, 4)
    .map((event, i) => ({
      clientId: `rt-${sessionId}-${i}-xxxx`,
      sessionId,
      event: { ...event, timestamp: Date.now() + i },
    }));

describe('privacy policy round trip', () => {
  it('goes from the server settings through the socket to the session record and back to the server', async () => {
    let kept: StoredPrivacyPolicy | undefined;
    const sync = createSyncService({
      syncStore: new DexieSyncStore(db),
      mediaStore: new DexieMediaStore(db),
      createSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
      fetch: (...args) => fetch(...args),
      publish: () => undefined,
      onPrivacyPolicy: (policy, server) => {
        kept = { server, receivedAt: Date.now(), policy };
      },
    });
    try {
      await sync.configure({ serverUrl: server.url, apiKey: TEST_API_KEY });
      await waitFor(
        () => kept,
        (k) => k !== undefined,
        'the policy handed over on authentication',
      );
      const served: PrivacyPolicy = kept!.policy;
      expect(served).toMatchObject({
        mode: 'strict',
        maskFields: ['badge', 'member id'],
        blockSelectors: ['#account', '.pii'],
      });
      expect(kept!.server).toBe(server.url);
      // The HTTP path hands over the same policy.
      expect(await fetchPrivacyPolicy({ fetch, clock: systemClock }, server.url, TEST_API_KEY)).toEqual(served);

      const deps = commandDeps(() => kept, server.url);
      expect(await runCommand({ type: 'session/start', sessionId: 'rt_online' }, deps)).toMatchObject({ ok: true });
      await storeCapturedEvents(db, envelopes('rt_online'));
      expect(await runCommand({ type: 'session/stop' }, deps)).toMatchObject({ ok: true });
      const recorded = {
        mode: 'strict',
        policyVersion: served.version,
        maskFields: ['badge', 'member id'],
        blockSelectors: ['#account', '.pii'],
      };
      expect((await db.sessions.get('rt_online'))?.maskingPolicy).toMatchObject(recorded);
      expect((await db.sessions.get('rt_online'))?.maskingPolicy.rules).toEqual(
        expect.arrayContaining(['strict', 'policy-field', 'policy-block']),
      );

      sync.kick('events');
      const onServer = await waitFor(
        () => serverSessionPolicy('rt_online'),
        (p) => p !== undefined,
        'the session row on the server',
      );
      expect(onServer).toMatchObject(recorded);

      // Offline: the server is gone, the kept copy still applies to a new session.
      await server.kill('SIGTERM');
      expect(await runCommand({ type: 'session/start', sessionId: 'rt_offline' }, deps)).toMatchObject({ ok: true });
      expect((await db.sessions.get('rt_offline'))?.maskingPolicy).toMatchObject(recorded);
      expect(await runCommand({ type: 'session/stop' }, deps)).toMatchObject({ ok: true });

      // No server configured: standard, whatever copy is kept.
      const alone = commandDeps(() => kept, '');
      expect(await runCommand({ type: 'session/start', sessionId: 'rt_no_server' }, alone)).toMatchObject({ ok: true });
      expect((await db.sessions.get('rt_no_server'))?.maskingPolicy).toMatchObject({
        mode: 'standard',
        policyVersion: STANDARD_PRIVACY_POLICY.version,
      });
      expect(await runCommand({ type: 'session/stop' }, alone)).toMatchObject({ ok: true });
    } finally {
      await sync.stop();
      await server.start();
    }
  }, 120_000);
});
