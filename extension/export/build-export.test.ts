import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { unzipSync, strFromU8 } from 'fflate';
import { LegacySessionExportSchema, validate, type ZipManifest } from '@codesight/schema';
import { sampleRecordedEvents, sampleSession } from '@codesight/schema/testing';
import { AppDB } from '../db/app-db';
import { eventPages } from '../db/session-reader';
import { buildExport } from './build-export';

const db = new AppDB('build-export-test');
afterEach(async () => {
  await Promise.all(db.tables.map((t) => t.clear()));
});

async function seed(count: number) {
  await db.sessions.add(sampleSession('cs_test_00001', count));
  await db.events.bulkAdd(sampleRecordedEvents('cs_test_00001', count));
}

describe('buildExport', () => {
  it('pages events in sequence order without gaps or repeats', async () => {
    await seed(2500);
    const pages = [];
    for await (const page of eventPages(db, 'cs_test_00001', 1000)) pages.push(page.map((e) => e.sequence));
    expect(pages.map((p) => p.length)).toEqual([1000, 1000, 500]);
    expect(pages.flat()).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
  });

  it('builds the legacy JSON of every stored event', async () => {
    await seed(40);
    const { blob, filename } = await buildExport(db, 'cs_test_00001', 'json');
    expect(filename).toMatch(/cs_test_00001\.json$/);
    const parsed = validate(LegacySessionExportSchema, JSON.parse(await blob.text()));
    expect(parsed.ok && parsed.value.events.length).toBe(40);
  });

  it('builds a ZIP whose manifest lists every file', async () => {
    await seed(30);
    const { blob } = await buildExport(db, 'cs_test_00001', 'zip');
    const files = unzipSync(new Uint8Array(await blob.arrayBuffer()));
    const manifest = JSON.parse(strFromU8(files['manifest.json']!)) as ZipManifest;
    expect(Object.keys(files).sort()).toEqual(['manifest.json', ...manifest.files.map((f) => f.path)].sort());
    expect(strFromU8(files['events.jsonl']!).trim().split('\n')).toHaveLength(30);
  });

  it('refuses an unknown session with a clear message', async () => {
    await expect(buildExport(db, 'missing', 'json')).rejects.toThrow('no session missing');
  });
});
