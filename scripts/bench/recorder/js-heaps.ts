import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { withTimeout } from '../../lib/chromium';

/** One V8 isolate's heap (CDP Runtime.getHeapUsage), in bytes. */
export interface HeapUsage {
  usedSize: number;
  totalSize: number;
  /** Blink's own garbage-collected objects (DOM, Blobs' handles...) when Chromium reports them. */
  embedderHeapUsedSize?: number;
  /** ArrayBuffer backing stores (frame bytes, audio chunk bytes) held by JavaScript. */
  backingStorageSize?: number;
}

/** The extension's two isolates: the service worker's thread and the renderer's main thread. */
export interface ExtensionHeapUsage {
  serviceWorker: HeapUsage | undefined;
  /** The popup's and the offscreen document's (one main thread, one isolate per renderer). */
  pages: HeapUsage;
}

export interface ExtensionHeaps {
  read(): Promise<ExtensionHeapUsage>;
  /** A full garbage collection in both isolates (CDP HeapProfiler.collectGarbage). */
  collectGarbage(): Promise<void>;
  close(): Promise<void>;
}

/** CDP answers in well under a second; a busy worker gets 10 s before a reading is given up. */
const CDP_TIMEOUT_MS = 10_000;

/**
 * CDP access to the extension's JavaScript heaps. The pages' isolate through a CDP session of the popup
 * page. Playwright opens CDP sessions on pages only, so the service worker is reached through that same
 * session: Target.attachToTarget without `flatten`, commands wrapped in Target.sendMessageToTarget and
 * answers read from Target.receivedMessageFromTarget. A worker that restarted is attached again.
 */
export async function attachExtensionHeaps(
  context: BrowserContext,
  popup: Page,
  extensionId: string,
): Promise<ExtensionHeaps> {
  const cdp: CDPSession = await context.newCDPSession(popup);
  let worker: { sessionId: string } | undefined;
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
  cdp.on('Target.detachedFromTarget', (event) => {
    if (event.sessionId === worker?.sessionId) worker = undefined;
  });

  const attachWorker = async () => {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const target = targetInfos.find(
      (t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${extensionId}/`),
    );
    if (!target) return undefined;
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
    return (worker = { sessionId });
  };
  const sendToWorker = async <T>(method: string): Promise<T | undefined> => {
    const session = worker ?? (await attachWorker());
    if (!session) return undefined;
    const id = ++nextId;
    const answer = new Promise<unknown>((resolve, reject) => waiting.set(id, { resolve, reject }));
    await cdp.send('Target.sendMessageToTarget', {
      sessionId: session.sessionId,
      message: JSON.stringify({ id, method }),
    });
    return (await withTimeout(answer, CDP_TIMEOUT_MS, `service worker ${method}`).finally(() =>
      waiting.delete(id),
    )) as T;
  };

  return {
    async read() {
      const pages = await withTimeout(cdp.send('Runtime.getHeapUsage'), CDP_TIMEOUT_MS, 'pages Runtime.getHeapUsage');
      const serviceWorker = await sendToWorker<HeapUsage>('Runtime.getHeapUsage').catch(() => undefined);
      return { serviceWorker, pages };
    },
    async collectGarbage() {
      await withTimeout(cdp.send('HeapProfiler.collectGarbage'), CDP_TIMEOUT_MS, 'pages collectGarbage');
      await sendToWorker('HeapProfiler.collectGarbage').catch(() => undefined);
    },
    close: () => cdp.detach().catch(() => {}),
  };
}
