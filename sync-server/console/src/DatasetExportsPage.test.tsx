// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Job } from './api-types';
import { DatasetExportsPage } from './DatasetExportsPage';

const job = (over: Partial<Job>): Job => ({
  id: '00000000-0000-4000-8000-000000000001',
  kind: 'dataset-export',
  state: 'running',
  payload: { format: 'dataset-jsonl', from: Date.UTC(2026, 11, 1), to: Date.UTC(2026, 11, 3) },
  dedupeKey: null,
  attempts: 1,
  maxAttempts: 2,
  progress: 0.4,
  result: null,
  lastError: null,
  createdAt: '2026-12-03T02:00:00.000Z',
  updatedAt: '2026-12-03T02:00:01.000Z',
  runAt: '2026-12-03T02:00:00.000Z',
  startedAt: '2026-12-03T02:00:00.500Z',
  finishedAt: null,
  leaseOwner: 'runner',
  leaseExpiresAt: null,
  ...over,
});

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** Lets the page's fetches resolve and re-render. */
const settle = () => act(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

describe('DatasetExportsPage', () => {
  it('shows a running export with its progress bar, and a finished one with its download', async () => {
    const done = job({
      id: '00000000-0000-4000-8000-000000000002',
      state: 'succeeded',
      progress: 1,
      payload: { format: 'legacy-jsonl', worker: 'w-1' },
      result: { blobKey: 'exports/x-1.jsonl', bytes: 2048, sha256: 'ab', sessions: 3, lines: 3 },
    });
    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.resolve(json({ exports: [job({}), done] }))),
    );
    const root = document.createElement('div');
    document.body.append(root);
    await act(() => render(<DatasetExportsPage />, root));
    await settle();

    const [running, finished] = [...root.querySelectorAll('[data-testid=export-row]')];
    expect(running?.getAttribute('data-state')).toBe('running');
    const bar = running?.querySelector('progress');
    expect(bar?.getAttribute('value')).toBe('0.4');
    expect(running?.textContent).toContain('running 40 %');
    expect(running?.textContent).toContain('2026-12-01 – 2026-12-02 · every worker');
    expect(running?.querySelector('a')).toBeNull();

    expect(finished?.querySelector('progress')).toBeNull();
    const link = finished?.querySelector('a');
    expect(link?.getAttribute('href')).toBe('/api/admin/exports/00000000-0000-4000-8000-000000000002/download');
    expect(link?.textContent).toBe('Download (3 sessions, 3 lines, 2.0 KiB)');
    expect(finished?.textContent).toContain('legacy-jsonl');
  });

  it('starts an export of the chosen format and days, and says how large it is', async () => {
    const fetch = vi.fn((url: string, init?: RequestInit) =>
      Promise.resolve(
        init?.method === 'POST'
          ? json(
              { job: job({ state: 'queued', progress: 0 }), created: true, totals: { sessions: 12, events: 3400 } },
              202,
            )
          : json({ exports: [] }),
      ),
    );
    vi.stubGlobal('fetch', fetch);
    const root = document.createElement('div');
    document.body.append(root);
    await act(() => render(<DatasetExportsPage />, root));
    await settle();
    expect(root.textContent).toContain('No export yet.');

    const set = (selector: string, value: string, event: string) => {
      const input = root.querySelector<HTMLInputElement | HTMLSelectElement>(selector)!;
      input.value = value;
      input.dispatchEvent(new Event(event, { bubbles: true }));
    };
    await act(() => {
      set('select[name=format]', 'legacy-jsonl', 'change');
      set('input[name=from]', '2026-12-01', 'input');
      set('input[name=to]', '2026-12-02', 'input');
    });
    await act(() => {
      root.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    await settle();

    const post = fetch.mock.calls.find(([, init]) => init?.method === 'POST');
    expect(post?.[0]).toBe(
      `/api/admin/exports?format=legacy-jsonl&from=${Date.UTC(2026, 11, 1)}&to=${Date.UTC(2026, 11, 3)}`,
    );
    expect(root.querySelector('[data-testid=export-message]')?.textContent).toBe(
      'Export started: 12 sessions, 3400 events',
    );
  });
});
