import type { CapturedEvent } from '@codesight/schema';
import { maskTitle, maskUrl } from '../capture/event-parts';

/**
 * A `tab` event from what chrome.tabs reports (the background sees tabs; pages do not). The tab's URL and
 * title pass the same masking as the pages' (the privacy policy applied in this context, then the
 * shared detectors): chrome.tabs reports them raw, query, fragment and all.
 */
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
    url: maskUrl(tab?.url || tab?.pendingUrl || ''),
    title: maskTitle(tab?.title ?? ''),
    tabId: tab?.id ?? tabId,
    openerTabId: tab?.openerTabId,
  };
}
