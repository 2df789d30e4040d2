import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from './postgres-cluster';

async function queryOne(url: string, sql: string): Promise<Record<string, unknown> | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const { rows } = await client.query<Record<string, unknown>>(sql);
    return rows[0];
  } finally {
    await client.end();
  }
}

describe('startPostgres', () => {
  let cluster: PostgresCluster | undefined;
  afterAll(() => cluster?.stop());

  it('starts a cluster, serves queries on two databases, and cleans up on stop', async () => {
    cluster = await startPostgres();
    expect(cluster.url).toBe(`postgres://postgres@127.0.0.1:${cluster.port}/test`);
    expect(existsSync(cluster.dir)).toBe(true);

    expect(await queryOne(cluster.url, 'select 1 as one')).toEqual({ one: 1 });
    const settings = await queryOne(cluster.url, "select current_setting('fsync') as fsync, current_database() as db");
    expect(settings).toEqual({ fsync: 'off', db: 'test' });

    const otherUrl = await cluster.createDatabase('other_db');
    expect(await queryOne(otherUrl, 'select current_database() as db')).toEqual({ db: 'other_db' });
    await expect(cluster.createDatabase('Bad-Name')).rejects.toThrow(/bad database name/);

    const processesUsingDir = () =>
      execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes(cluster!.dir));
    expect(processesUsingDir().length).toBeGreaterThanOrEqual(2); // postmaster and watchdog

    await cluster.stop();
    expect(existsSync(cluster.dir)).toBe(false);
    expect(processesUsingDir()).toEqual([]);
    await cluster.stop(); // idempotent

    const client = new pg.Client({ connectionString: cluster.url, connectionTimeoutMillis: 2_000 });
    await expect(client.connect()).rejects.toThrow();
  }, 60_000);
});
