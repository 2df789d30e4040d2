import { describe, expect, it } from 'vitest';
import type { PrivacyReport } from '@codesight/schema';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { createPrivacyReportCache, type ReportSource } from './report-cache';

const db = {} as Kysely<Database>;

function fakeSource() {
  const stamps = new Map<string, string>();
  const loads: string[] = [];
  const source: ReportSource = {
    stamp: (_db, id) => Promise.resolve(stamps.get(id) ?? '-'),
    load: (_db, id) => {
      loads.push(id);
      const report: PrivacyReport = {
        sessionId: id,
        client: { total: loads.length, counts: [] },
        server: { total: 0, events: 0, counts: [] },
      };
      return Promise.resolve(report);
    },
  };
  return { source, stamps, loads };
}

describe('the privacy report cache', () => {
  it('reads a report again only when its stamp changed', async () => {
    const { source, stamps, loads } = fakeSource();
    const cache = createPrivacyReportCache(source);
    stamps.set('cs_a', '100/-');
    const first = await cache.read(db, 'cs_a');
    expect(await cache.read(db, 'cs_a')).toBe(first);
    expect(loads).toEqual(['cs_a']);
    stamps.set('cs_a', '100/7'); // the server masked something in a new event
    const second = await cache.read(db, 'cs_a');
    expect(second).not.toBe(first);
    stamps.set('cs_a', '101/7'); // events stored or the session closed
    await cache.read(db, 'cs_a');
    expect(loads).toEqual(['cs_a', 'cs_a', 'cs_a']);
  });

  it('keeps at most 256 reports, the least recently read going first', async () => {
    const { source, loads } = fakeSource();
    const cache = createPrivacyReportCache(source);
    for (let i = 0; i < 256; i++) await cache.read(db, `cs_${i}`);
    await cache.read(db, 'cs_0'); // read again: now the most recent
    await cache.read(db, 'cs_new'); // pushes out cs_1, the least recent
    loads.length = 0;
    await cache.read(db, 'cs_0');
    await cache.read(db, 'cs_1');
    expect(loads).toEqual(['cs_1']);
  });
});
