import { describe, expect, it } from 'vitest';
import { csrfProblem, type CsrfInput } from './csrf';

const OWN = 'https://collector.example';
const TOKEN = 'k'.repeat(43);
/** A console request as Chrome sends it: same origin, token echoed. */
const good: CsrfInput = {
  method: 'POST',
  origin: OWN,
  secFetchSite: 'same-origin',
  sentToken: TOKEN,
  sessionToken: TOKEN,
  ownOrigin: OWN,
};

describe('CSRF checks of cookie-authenticated requests', () => {
  it.each<[string, Partial<CsrfInput>, RegExp | undefined]>([
    ['the console itself', {}, undefined],
    ['an old browser without Sec-Fetch-Site, Origin ours', { secFetchSite: undefined }, undefined],
    ['a browser sending Sec-Fetch-Site but no Origin', { origin: undefined }, undefined],
    ['a GET (reads need no token)', { method: 'GET', sentToken: undefined, origin: 'https://evil.example' }, undefined],
    ['HEAD', { method: 'HEAD', sentToken: undefined }, undefined],
    [
      'cross-site form post',
      { origin: 'https://evil.example', secFetchSite: 'cross-site' },
      /Sec-Fetch-Site: cross-site/,
    ],
    [
      'sibling subdomain (same-site, other origin)',
      { origin: 'https://app.example', secFetchSite: 'same-site' },
      /same-site/,
    ],
    ['foreign Origin without Sec-Fetch-Site', { origin: 'https://evil.example', secFetchSite: undefined }, /Origin/],
    ['opaque origin (sandboxed iframe)', { origin: 'null', secFetchSite: undefined }, /Origin/],
    ['same host over plain http', { origin: 'http://collector.example', secFetchSite: undefined }, /Origin/],
    ['neither Origin nor Sec-Fetch-Site', { origin: undefined, secFetchSite: undefined }, /neither/],
    ['missing token', { sentToken: undefined }, /missing X-CSRF-Token/],
    ['empty token', { sentToken: '' }, /missing X-CSRF-Token/],
    ['token of another session', { sentToken: 'x'.repeat(43) }, /does not match/],
    ['token prefix', { sentToken: TOKEN.slice(0, 10) }, /does not match/],
    ['DELETE without token', { method: 'DELETE', sentToken: undefined }, /missing/],
    ['PUT from a foreign origin', { method: 'PUT', origin: 'https://evil.example' }, /Origin/],
  ])('%s', (_name, change, expected) => {
    const problem = csrfProblem({ ...good, ...change });
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });
});
