import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePrivacyPolicy, PrivacyPolicySchema, validate } from '@codesight/schema';
import { APP_START_TIMEOUT_MS, createTestApp, type TestApp } from '../testing/app-harness';

const strict = makePrivacyPolicy({ mode: 'strict', blockSelectors: ['.account'], maskFields: ['badge'] });
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ privacyPolicy: strict });
}, APP_START_TIMEOUT_MS);
afterAll(() => t.close());

describe('GET /api/extension/policy', () => {
  it("serves the deployment's privacy policy to a worker key, uncached", async () => {
    const { key } = await t.createWorker();
    const res = await t.request('/api/extension/policy', { bearer: key });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(validate(PrivacyPolicySchema, await res.json())).toEqual({ ok: true, value: strict });
  });

  it('refuses a request without a valid credential with the error shape', async () => {
    for (const bearer of [undefined, 'csk_not_a_key']) {
      const res = await t.request('/api/extension/policy', { bearer });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: expect.any(String) as unknown } });
    }
  });
});
