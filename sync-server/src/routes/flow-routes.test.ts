import {
  buildActions,
  buildPlaywrightScript,
  buildRecorderFlow,
  RecorderFlowSchema,
  validate,
  type RecordedEvent,
} from '@codesight/schema';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_START_TIMEOUT_MS, createTestApp, type TestApp } from '../testing/app-harness';

let t: TestApp;
let alice: { workerId: string; key: string };
let admin: string;
let events: RecordedEvent[];

const SESSION = 'cs_flow_routes';
const T0 = 1_752_327_000_000;

beforeAll(async () => {
  t = await createTestApp();
  alice = await t.createWorker('Alice');
  admin = await t.adminToken();
  events = sampleRecordedEvents(SESSION, 45);
  const batch = await t.request('/api/sync/batch', {
    bearer: alice.key,
    json: {
      type: 'batch',
      v: 1,
      batchId: 'b1',
      sessionId: SESSION,
      session: {
        startTime: T0,
        userAgent: 'Chrome/156',
        extensionVersion: '0.1.0',
        maskingPolicy: { version: '1', rules: ['email'] },
      },
      firstSequence: 1,
      lastSequence: events.length,
      events,
    },
  });
  expect(batch.status).toBe(200);
}, APP_START_TIMEOUT_MS);
afterAll(() => t?.close());

describe('GET /api/admin/sessions/:id/flow.json and flow.spec.ts', () => {
  it('streams the Recorder flow the shared builder makes from the stored events', async () => {
    const res = await t.request(`/api/admin/sessions/${SESSION}/flow.json`, { bearer: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const flow: unknown = await res.json();
    expect(validate(RecorderFlowSchema, flow).ok).toBe(true);
    expect(flow).toEqual(buildRecorderFlow(`Session ${SESSION}`, buildActions(events)));
  });

  it('streams the Playwright script the shared builder makes', async () => {
    const res = await t.request(`/api/admin/sessions/${SESSION}/flow.spec.ts`, { bearer: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${SESSION}.spec.ts"`);
    expect(await res.text()).toBe(await buildPlaywrightScript(`Session ${SESSION}`, buildActions(events)));
  });

  it('is for admins only, and answers an unknown session 404', async () => {
    for (const route of ['flow.json', 'flow.spec.ts']) {
      const asWorker = await t.request(`/api/admin/sessions/${SESSION}/${route}`, { bearer: alice.key });
      expect(asWorker.status).toBe(403);
      const anonymous = await t.request(`/api/admin/sessions/${SESSION}/${route}`);
      expect(anonymous.status).toBe(401);
      const unknown = await t.request(`/api/admin/sessions/cs_nobody_has_this/${route}`, { bearer: admin });
      expect(unknown.status).toBe(404);
      const bad = await t.request(`/api/admin/sessions/bad%20id/${route}`, { bearer: admin });
      expect(bad.status).toBe(400);
    }
  });
});
