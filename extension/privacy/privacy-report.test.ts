import { describe, expect, it } from 'vitest';
import { systemClock } from '@codesight/schema';
import { fetchServerPrivacyReport, localPrivacyLines, policyLabel } from './privacy-report';

describe('the popup privacy report', () => {
  it('lists what this browser masked by rule, most frequent first, and nothing for older sessions', () => {
    expect(localPrivacyLines({ maskCounts: { email: 1, name: 3, strict: 3 } })).toEqual([
      { rule: 'name', where: 'value', count: 3 },
      { rule: 'strict', where: 'value', count: 3 },
      { rule: 'email', where: 'value', count: 1 },
    ]);
    expect(localPrivacyLines({})).toEqual([]);
  });

  it('adds what was masked outside values, by location', () => {
    const lines = localPrivacyLines({
      maskCounts: { 'text-phone': 1 },
      maskCountsByLocation: { 'text-email': { url: 2, title: 1 }, 'text-phone': { text: 4 } },
    });
    expect(lines).toEqual([
      { rule: 'text-phone', where: 'text', count: 4 },
      { rule: 'text-email', where: 'url', count: 2 },
      { rule: 'text-email', where: 'title', count: 1 },
      { rule: 'text-phone', where: 'value', count: 1 },
    ]);
  });

  it('names the policy a session recorded under', () => {
    expect(policyLabel({ maskingPolicy: { version: 'capture-1', rules: [] } })).toBe(
      'recorded before privacy policies (capture-1)',
    );
    expect(
      policyLabel({
        maskingPolicy: {
          version: 'capture-2',
          rules: [],
          mode: 'strict',
          policyVersion: 'pp1-00000000000001',
          blockSelectors: ['.a'],
          maskFields: ['b'],
        },
      }),
    ).toBe('strict policy pp1-00000000000001, 2 deployment additions');
  });

  it("asks the worker's own report with the key, and says why when it cannot have it", async () => {
    const report = {
      sessionId: 's1',
      client: { total: 2, counts: [{ rule: 'name', where: 'value', count: 2 }] },
      server: { total: 1, events: 1, counts: [{ rule: 'text-phone', where: 'url', count: 1 }] },
    };
    const asked: { url: string; auth: string | null }[] = [];
    const fetchFn = ((url: string, init: RequestInit) => {
      asked.push({ url, auth: new Headers(init.headers).get('authorization') });
      return Promise.resolve(new Response(JSON.stringify(report)));
    }) as typeof fetch;
    const settings = { serverUrl: 'https://collector.test', apiKey: 'k1' };
    expect(await fetchServerPrivacyReport({ fetch: fetchFn, clock: systemClock }, settings, 's1')).toEqual({
      ok: true,
      value: report,
    });
    expect(asked).toEqual([{ url: 'https://collector.test/api/sessions/s1/privacy', auth: 'Bearer k1' }]);

    const none = await fetchServerPrivacyReport(
      { fetch: fetchFn, clock: systemClock },
      { serverUrl: '', apiKey: '' },
      's1',
    );
    expect(none.ok).toBe(false);
    const refused = (() => Promise.resolve(new Response('{"error":{}}', { status: 404 }))) as typeof fetch;
    const answer = await fetchServerPrivacyReport({ fetch: refused, clock: systemClock }, settings, 's1');
    expect(answer).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });
});
