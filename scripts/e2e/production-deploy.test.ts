import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, SERVER_DIST_DIR } from '../build/server';
import { launchWithExtension, type ExtensionBrowser } from '../lib/chromium';
import { getFreePort } from '../lib/free-port';
import { startPostgres, type PostgresCluster } from '../lib/postgres-cluster';
import { startS3Server, type S3TestServer } from '../lib/s3-server';
import { SHOP_PAGES, startFixtureShop, type FixtureShop } from './fixture-shop/serve';
import { builtExtension, REPO_ROOT } from './testing/extension-build';
import { updateSettings, readTrackStatus } from './testing/extension-storage';
import { countLocalEvents } from './testing/local-events';
import { readMediaChunks, sha256Hex, type StoredChunk } from './testing/media-db';
import { configureServer, openPopup, startRecording, stopRecording } from './testing/popup';
import { listServerAudioChunks } from './testing/server-audio';
import { storedCounts } from './testing/server-db';
import { startTcpBalancer, type TcpBalancer } from './testing/tcp-balancer';
import { createTeardown } from './testing/teardown';
import { waitFor } from './testing/wait';

/**
 * Issue 15: the production deployment of docs/deploy.md, tried end to end. The server bundle
 * (`npm run build:server`, no tsx) runs as two instances with NODE_ENV=production, a real JWT secret, a
 * throwaway PostgreSQL and the S3-protocol server, started at the same moment behind a load balancer
 * that routes by `/health/ready` (as deploy/Caddyfile does). Exactly one instance migrates. A worker
 * key made with the bundled admin CLI syncs a narrated shopping session from the real extension while
 * the instance it is connected to is stopped with SIGTERM (a graceful exit: code 0, not the timeout)
 * and started again; the session arrives exactly once, its narration in PostgreSQL and in the bucket.
 */

const SESSION_ID = 'e2e_production_deploy_1';
const BUCKET = 'codesight-e2e';
/** A real secret, as an operator makes one (`openssl rand -base64 32`). */
const JWT_SECRET = randomBytes(32).toString('base64');
/** Below the default 20 s, so a drain that hung would show as exit 1 (shutdown_timeout) within the test. */
const SHUTDOWN_TIMEOUT_MS = 10_000;
/** Shopping in each of the three phases (before, during and after the stop): a few narration chunks each. */
const PHASE_MS = 2_500;
/** Variables the instances must not inherit from the test's environment (they would change the setup). */
const SETTINGS_VARIABLE =
  /^(PORT|HOST|PUBLIC_URL|ALLOW|DATABASE_URL|DATA_DIR|S3_|AWS_|FRONTEND_URL|JWT_|NODE_ENV|CORS_|TRUST_PROXY|LOG_LEVEL|RATE_LIMIT|METRICS_|SHUTDOWN_)/;

/** One server instance: the bundle on plain node, as the systemd unit runs it. */
interface Instance {
  name: string;
  port: number;
  /** Log lines of every run so far, parsed (JSON lines only). */
  events(): { event: string; [field: string]: unknown }[];
  output(): string;
  start(): Promise<void>;
  /** Sends `signal` and resolves with the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const teardown = createTeardown();
let cluster: PostgresCluster;
let s3: S3TestServer;
let shop: FixtureShop;
let balancer: TcpBalancer;
let env: Record<string, string>;
let instances: [Instance, Instance];
let extensionPath: string;

function cleanEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && !SETTINGS_VARIABLE.test(entry[0]),
    ),
  );
}

/**
 * Runs a bundled CLI (`migrate.js`, `admin.js`) with the deployment's environment. Asynchronously: the
 * balancer's health checks run on this process's event loop.
 */
function runCli(script: string, args: string[], extra: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(SERVER_DIST_DIR, script), ...args],
      { cwd: REPO_ROOT, env: { ...env, ...extra }, encoding: 'utf8', timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${script} ${args.join(' ')} failed: ${error.message}\n${stdout}${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

function createInstance(name: string, port: number, dataDir: string): Instance {
  let child: ChildProcess | undefined;
  let log = '';
  return {
    name,
    port,
    events: () =>
      log
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { event: string }),
    output: () => log,
    async start() {
      if (child) throw new Error(`${name} is already running`);
      const proc = spawn(process.execPath, ['--enable-source-maps', join(SERVER_DIST_DIR, 'main.js')], {
        cwd: REPO_ROOT,
        env: { ...env, PORT: String(port), DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      proc.stdout.on('data', (d: Buffer) => (log += d.toString()));
      proc.stderr.on('data', (d: Buffer) => (log += d.toString()));
      proc.once('exit', () => {
        if (child === proc) child = undefined;
      });
      await waitFor(
        async () => {
          if (!child) throw new Error(`${name} exited during start-up:\n${log}`);
          return (await fetch(`http://127.0.0.1:${port}/health/ready`)).status;
        },
        (status) => status === 200,
        `${name} to be ready`,
        { intervalMs: 100 },
      ).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}\n${log}`);
      });
    },
    async stop(signal = 'SIGTERM') {
      const proc = child;
      if (!proc) return null;
      const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
      proc.kill(signal);
      return exited;
    },
  };
}

beforeAll(async () => {
  extensionPath = builtExtension();
  // The bundle of the code under test, as `npm run build` makes it.
  await buildServer();
  [cluster, s3, shop] = await Promise.all([startPostgres(), startS3Server({ buckets: [BUCKET] }), startFixtureShop()]);
  teardown.add('postgres', () => cluster.stop());
  teardown.add('s3 server', () => s3.stop());
  teardown.add('fixture shop', () => shop.stop());
  const ports = [await getFreePort(), await getFreePort()] as const;
  // The second instance first: the extension lands on it, the one the test stops.
  balancer = await startTcpBalancer([{ port: ports[1] }, { port: ports[0] }]);
  teardown.add('balancer', () => balancer.stop());
  env = {
    ...cleanEnv(),
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    // What the workers are given: the balancer's address, like https://collector.example behind Caddy.
    PUBLIC_URL: balancer.url,
    DATABASE_URL: cluster.url,
    S3_BUCKET: BUCKET,
    S3_ENDPOINT: s3.endpoint,
    // s3rver takes any credentials; the SDK needs some to sign.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    JWT_SECRET,
    LOG_LEVEL: 'info',
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
  };
  const dataDirs = await Promise.all([0, 1].map((i) => mkdtemp(join(tmpdir(), `e2e-deploy-${i}-`))));
  teardown.add('data dirs', () => Promise.all(dataDirs.map((d) => rm(d, { recursive: true, force: true }))));
  instances = [
    createInstance('instance 1', ports[0], dataDirs[0]!),
    createInstance('instance 2', ports[1], dataDirs[1]!),
  ];
  teardown.add('instances', () => Promise.all(instances.map((i) => i.stop('SIGKILL'))));
  // Both at the same moment, as systemd starts codesight@1 and codesight@2 after a deploy.
  await Promise.all(instances.map((i) => i.start()));
}, 120_000);

afterAll(() => teardown.run());

describe('production deployment: two instances of the bundle on PostgreSQL and S3', () => {
  it('migrates once: one instance applies the migrations, the other finds them applied', () => {
    const applied = instances.filter((i) => i.events().some((e) => e.event === 'migrations_applied'));
    expect(applied.map((i) => i.name)).toHaveLength(1);
    const other = instances.find((i) => !applied.includes(i))!;
    expect(other.events().some((e) => e.event === 'migrations_up_to_date')).toBe(true);
    const line = applied[0]!.events().find((e) => e.event === 'migrations_applied')!;
    console.log(
      `deploy: ${applied[0]!.name} (pid ${String(line.pid)}) applied ${(line.applied as string[]).length} migrations; ` +
        `${other.name} ${other.events().some((e) => e.event === 'migrations_waiting') ? 'waited for it' : 'found them applied'}`,
    );
    // Production refuses the development key and secret; nothing warned about either.
    for (const i of instances) expect(i.events().filter((e) => /dev_secret|dev_credentials/.test(e.event))).toEqual([]);
  });

  it('syncs a narrated session exactly once while the instance it uses is stopped (SIGTERM) and started again', async () => {
    const [first, second] = instances;
    expect(await runCli('migrate.js', [])).toMatch(/up to date/);
    // The operator's first steps (docs/deploy.md): an admin for the console, a key for a worker.
    await runCli('admin.js', ['create-admin', '--username', 'ops'], {
      ADMIN_PASSWORD: randomBytes(18).toString('base64'),
    });
    const key = /API key \(shown once, store it now\): (\S+)/.exec(
      await runCli('admin.js', ['create-worker', 'E2E worker']),
    )?.[1];
    expect(key).toBeDefined();
    // The development key is refused in production, through the balancer like any client.
    const devKey = await fetch(`${balancer.url}/api/extension/sessions`, { headers: { 'x-api-key': 'test-key-dev' } });
    expect(devKey.status).toBe(401);

    const browser: ExtensionBrowser = await launchWithExtension({ extensionPath });
    teardown.add('browser', () => browser.close());
    const popup = await openPopup(browser);
    await updateSettings(popup, { recordAudio: true, captureScreenshots: false, autoDownloadJson: false });
    await configureServer(popup, balancer.url, key!);
    await startRecording(popup, SESSION_ID);
    const page = await browser.context.newPage();

    await shopFor(page, PHASE_MS);
    await waitFor(
      () => storedCounts(cluster.url, SESSION_ID),
      (c) => c.stored > 0,
      'the first events stored (through instance 2)',
    );
    expect(balancer.connectionsTo(0), 'the extension was served by instance 2').toBeGreaterThan(0);
    const toFirstBefore = balancer.connectionsTo(1);

    const stopped = await second.stop('SIGTERM');
    expect(stopped, `instance 2 exits 0 after a graceful drain:\n${second.output()}`).toBe(0);
    const shutdown = second.events().map((e) => e.event);
    expect(shutdown).toEqual(expect.arrayContaining(['signal_received', 'server_stopping', 'server_stopped']));
    expect(shutdown).not.toContain('shutdown_timeout');

    // Instance 2 is down: the extension reconnects through the balancer to instance 1 and goes on.
    const storedBeforeStop = (await storedCounts(cluster.url, SESSION_ID)).stored;
    await shopFor(page, PHASE_MS);
    await waitFor(
      () => storedCounts(cluster.url, SESSION_ID),
      (c) => c.stored > storedBeforeStop,
      'events stored while instance 2 is down (through instance 1)',
    );
    expect(balancer.connectionsTo(1), 'the extension moved to instance 1').toBeGreaterThan(toFirstBefore);

    await second.start();
    const restarted = second.events().filter((e) => e.event === 'migrations_up_to_date');
    expect(restarted.length, 'the restarted instance found nothing to migrate').toBeGreaterThanOrEqual(1);
    await shopFor(page, PHASE_MS);

    await popup.bringToFront();
    await stopRecording(popup);
    await waitFor(
      () => readTrackStatus(popup, 'narration'),
      (s) => s?.sessionId === SESSION_ID && s.state === 'stopped',
      'narration to report stopped',
    );
    const local = await countLocalEvents(popup, SESSION_ID);
    const counts = await waitFor(
      () => storedCounts(cluster.url, SESSION_ID),
      (c) => c.stored >= local,
      `all ${local} events in PostgreSQL`,
    );
    expect(counts).toMatchObject({ stored: local, duplicates: 0, maxSequence: local });

    const chunks = await readMediaChunks(popup, SESSION_ID);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    await waitFor(
      () => listServerAudioChunks(balancer.url, key!, SESSION_ID),
      (rows) => rows.length === chunks.length,
      `the server to list all ${chunks.length} narration chunks`,
      { timeoutMs: 40_000, intervalMs: 500 },
    );
    await expectNarrationStored(chunks);
    console.log(
      `deploy: ${local} events and ${chunks.length} narration chunks stored once; connections via the balancer: ` +
        `instance 2 ${balancer.connectionsTo(0)}, instance 1 ${balancer.connectionsTo(1)}; instance 1 ran throughout (${first.name})`,
    );
    await browser.close();
  }, 120_000);
});

/** Shops in `page` (product, details, add to cart) for `durationMs`: activity to narrate. */
async function shopFor(page: Page, durationMs: number): Promise<void> {
  const until = Date.now() + durationMs;
  for (let product = 1; Date.now() < until; product = (product % 6) + 1) {
    await page.goto(`${shop.url}${SHOP_PAGES.index}`);
    await page.locator(`[data-testid="product-link-${product}"]`).click();
    await page.locator('#tab-details').click();
    await page.locator('#add-to-cart').click();
  }
}

/** Each chunk once in PostgreSQL, verified, and its bytes in the bucket with the same SHA-256. */
async function expectNarrationStored(chunks: readonly StoredChunk[]): Promise<void> {
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  // bytes is int8: node-postgres returns it as a string.
  let rows: { chunk_index: number; sha256: string; bytes: string; blob_key: string; uploaded: boolean }[];
  try {
    ({ rows } = await client.query(
      `select chunk_index, sha256, bytes, blob_key, uploaded_at is not null as uploaded
         from audio_chunks where session_id = $1 order by chunk_index`,
      [SESSION_ID],
    ));
  } finally {
    await client.end();
  }
  expect(
    rows.map((r) => ({ chunkIndex: r.chunk_index, sha256: r.sha256, bytes: Number(r.bytes), uploaded: r.uploaded })),
  ).toEqual(
    chunks.map((c) => ({ chunkIndex: c.row.chunkIndex, sha256: c.row.sha256, bytes: c.row.bytes, uploaded: true })),
  );
  const bucket = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  try {
    for (const row of rows) {
      const object = await bucket.send(new GetObjectCommand({ Bucket: BUCKET, Key: row.blob_key }));
      const bytes = Buffer.from(await object.Body!.transformToByteArray());
      expect(createHash('sha256').update(bytes).digest('hex'), row.blob_key).toBe(row.sha256);
      expect(sha256Hex(bytes)).toBe(row.sha256);
    }
  } finally {
    bucket.destroy();
  }
}
