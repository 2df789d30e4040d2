import { describe, expect, it } from 'vitest';
import { makePrivacyPolicy, STANDARD_PRIVACY_POLICY, systemClock } from '@codesight/schema';
import { fetchPrivacyPolicy, isFreshCopy, POLICY_REFRESH_MS, policyInForce } from './privacy-policy-store';

const strict = makePrivacyPolicy({ mode: 'strict', blockSelectors: [], maskFields: ['badge'] });
const stored = { server: 'https://collector.test', receivedAt: 1_700_000_000_000, policy: strict };

describe('the policy in force', () => {
  it("applies the configured server's last copy, offline too", () => {
    expect(policyInForce(stored, 'https://collector.test')).toEqual(strict);
    // The legacy socket address names the same server.
    expect(policyInForce(stored, 'wss://collector.test/extension-ws')).toEqual(strict);
  });

  it("is standard with no server, before the first answer, for another server's copy, or an edited copy", () => {
    expect(policyInForce(stored, '')).toEqual(STANDARD_PRIVACY_POLICY);
    expect(policyInForce(undefined, 'https://collector.test')).toEqual(STANDARD_PRIVACY_POLICY);
    expect(policyInForce(stored, 'https://other.test')).toEqual(STANDARD_PRIVACY_POLICY);
    const edited = { ...stored, policy: { ...strict, mode: 'standard' } };
    expect(policyInForce(edited, 'https://collector.test')).toEqual(STANDARD_PRIVACY_POLICY);
  });

  it("refreshes over HTTP only when the copy is not this server's recent one (the worker wakes often)", () => {
    const at = stored.receivedAt;
    expect(isFreshCopy(stored, 'https://collector.test', at + POLICY_REFRESH_MS - 1)).toBe(true);
    expect(isFreshCopy(stored, 'https://collector.test', at + POLICY_REFRESH_MS)).toBe(false);
    expect(isFreshCopy(stored, 'https://other.test', at)).toBe(false);
    expect(isFreshCopy(undefined, 'https://collector.test', at)).toBe(false);
  });

  it('fetches it over HTTP with the key and keeps nothing that is not a valid policy', async () => {
    const answer = (body: unknown, status = 200) =>
      ((url: string, init: RequestInit) => {
        expect(url).toBe('https://collector.test/api/extension/policy');
        expect(new Headers(init.headers).get('authorization')).toBe('Bearer k1');
        return Promise.resolve(new Response(JSON.stringify(body), { status }));
      }) as typeof fetch;
    const http = (body: unknown, status?: number) => ({ fetch: answer(body, status), clock: systemClock });
    expect(await fetchPrivacyPolicy(http(strict), 'https://collector.test', 'k1')).toEqual(strict);
    expect(await fetchPrivacyPolicy(http({ ...strict, mode: 'standard' }), 'https://collector.test', 'k1')).toBe(
      undefined,
    );
    expect(await fetchPrivacyPolicy(http({ error: {} }, 401), 'https://collector.test', 'k1')).toBeUndefined();
  });
});
