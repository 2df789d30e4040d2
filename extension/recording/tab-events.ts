import type { CapturedEvent } from '@codesight/schema';

/** A `tab` event from what chrome.tabs reports (the background sees tabs; pages do not). */
export function tabEvent(
  action: 'activated' | 'created' | 'closed',
  tab: { id?: number; url?: string; pendingUrl?: string; title?: string; openerTabId?: number } | undefined,
  now: number,
  tabId?: number,
): CapturedEvent {
  return {
    type: 'tab',
    action,
    timestamp: now,
    // A closed tab can no longer be asked for its URL; a new one may only have a pending URL.
    url: tab?.url || tab?.pendingUrl || '',
    title: tab?.title || undefined,
    tabId: tab?.id ?? tabId,
    openerTabId: tab?.openerTabId,
  };
}
