import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { withTimeout } from '../../lib/chromium';

/** CDP commands to the extension's service worker (for its CPU profile). */
export interface WorkerCdp {
  send<T>(method: string, params?: object): Promise<T>;
  close(): Promise<void>;
}

// Stopping a profile of a minute's work returns megabytes: well within this.
const CDP_TIMEOUT_MS = 30_000;

/**
 * Reaches the service worker through a CDP session of an extension page, as recorder/js-heaps.ts does
 * (Playwright opens CDP sessions on pages only): Target.attachToTarget without `flatten`, commands
 * wrapped in Target.sendMessageToTarget, answers from Target.receivedMessageFromTarget.
 */
export async function attachWorkerCdp(context: BrowserContext, page: Page, extensionId: string): Promise<WorkerCdp> {
  const cdp: CDPSession = await context.newCDPSession(page);
  const { targetInfos } = await cdp.send('Target.getTargets');
  const target = targetInfos.find(
    (t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${extensionId}/`),
  );
  if (!target) throw new Error('no service worker to attach to');
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
  let nextId = 0;
  const waiting = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    const message = JSON.parse(event.message) as { id?: number; result?: unknown; error?: { message: string } };
    const entry = message.id === undefined ? undefined : waiting.get(message.id);
    if (!entry) return;
    waiting.delete(message.id!);
    if (message.error) entry.reject(new Error(message.error.message));
    else entry.resolve(message.result);
  });
  return {
    async send<T>(method: string, params: object = {}) {
      const id = ++nextId;
      const answer = new Promise<unknown>((resolve, reject) => waiting.set(id, { resolve, reject }));
      await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
      return (await withTimeout(answer, CDP_TIMEOUT_MS, `service worker ${method}`)) as T;
    },
    close: () => cdp.detach().catch(() => {}),
  };
}
