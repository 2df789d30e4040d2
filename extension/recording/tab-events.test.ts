import { afterEach, describe, expect, it } from 'vitest';
import { makePrivacyPolicy, STANDARD_PRIVACY_POLICY } from '@codesight/schema';
import { applyPrivacyPolicy } from '../capture';
import { tabEvent } from './tab-events';

afterEach(() => applyPrivacyPolicy(STANDARD_PRIVACY_POLICY));

describe('tabEvent', () => {
  // Regression (issue 14 e2e): chrome.tabs reports the URL and title raw; a tab activated on an account
  // page put its query, fragment and title into the session unmasked.
  const tab = {
    id: 7,
    url: 'https://shop.test/account?email=jo.q%40example.org&note=hi#iban=DE89370400440532013000',
    title: 'Account of jo.q@example.org · 415 555 0123',
  };

  it('masks the tab URL and title with the shared detectors', () => {
    const event = tabEvent('activated', tab, 1_000);
    const text = JSON.stringify(event);
    for (const planted of ['jo.q', 'DE89370400440532013000', '415 555 0123']) expect(text).not.toContain(planted);
    expect(event).toMatchObject({ type: 'tab', action: 'activated', tabId: 7 });
    expect(event.url).toContain('note=hi');
  });

  it('applies the policy in force: strict keeps only navigation and search parameters', () => {
    applyPrivacyPolicy(makePrivacyPolicy({ mode: 'strict', blockSelectors: [], maskFields: [] }));
    expect(tabEvent('activated', tab, 1_000).url).toContain('note=[strict]');
  });
});
