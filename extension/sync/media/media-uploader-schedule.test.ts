import { describe, expect, it } from 'vitest';
import { FakeMediaServer } from '../testing/fake-media-server';
import { sampleAudioChunk, samplePng, sampleScreenshot, sampleWebm } from '../testing/media-fixtures';
import { MemoryMediaStore } from '../testing/memory-media-store';
import { createMediaUploader, DEFAULT_MEDIA_POLL_INTERVAL_MS, type MediaUploaderOptions } from './media-uploader';
import { FakeClock } from '@codesight/schema/testing';

const KEY = 'k';

function setup(extra: Partial<MediaUploaderOptions> = {}) {
  const clock = new FakeClock();
  const store = new MemoryMediaStore();
  const server = new FakeMediaServer({ apiKey: KEY });
  for (let i = 0; i < 3; i++) store.addScreenshot(sampleScreenshot('s', i, samplePng(i)), samplePng(i));
  store.addAudioChunk(sampleAudioChunk('s', 0, sampleWebm(0)), sampleWebm(0));
  // random() = 0.999: each backoff delay is just under its ceiling, so the doubling is visible.
  const uploader = createMediaUploader({
    store,
    baseUrl: server.baseUrl,
    apiKey: KEY,
    fetch: server.fetch,
    clock,
    random: () => 0.999,
    ...extra,
  });
  /** Lets due timers fire and the runs they start finish (hashing is real async work). */
  const settle = async (ms = 0) => {
    await clock.advance(ms);
    await uploader.idle();
  };
  return { clock, store, server, uploader, settle };
}

describe('media uploader schedule', () => {
  it('runs at start, then polls: media acked later go up without a kick', async () => {
    const { store, server, uploader, settle } = setup();
    store.setAck('s', 2);
    uploader.start();
    uploader.start();
    await settle();
    expect(server.created).toBe(3); // screenshot 2 waits for event 3
    store.setAck('s', 3);
    await settle(DEFAULT_MEDIA_POLL_INTERVAL_MS - 1);
    expect(server.created).toBe(3);
    await settle(1);
    expect(server.created).toBe(4);
    await uploader.stop();
  });

  it('runs at once on a kick after acks', async () => {
    const { store, server, uploader, settle } = setup();
    uploader.start();
    await settle();
    expect(server.requests).toEqual([]);
    store.setAck('s', 10);
    uploader.kick('acked');
    await settle();
    expect(server.created).toBe(4);
    await uploader.stop();
  });

  it('backs off after failures, doubling the delay, ignores kicks meanwhile, and recovers', async () => {
    // One at a time, so each run meets exactly one fault.
    const { clock, store, server, uploader, settle } = setup({ concurrency: 1 });
    store.setAck('s', 10);
    server.inject({ step: 'url', answer: 'network', times: 3 });
    uploader.start();
    await settle();
    const delays: number[] = [];
    for (let failure = 1; failure <= 3; failure++) {
      const retryAt = uploader.getStatus().retryAt;
      if (retryAt === undefined) throw new Error(`no retry scheduled after failure ${failure}`);
      delays.push(retryAt - clock.now());
      uploader.kick('acked'); // respected backoff: no run
      const requests = server.requests.length;
      await settle(retryAt - clock.now() - 1);
      expect(server.requests.length).toBe(requests);
      await settle(1);
    }
    expect(delays).toEqual([999, 1998, 3996]);
    expect(server.created).toBe(4);
    expect(uploader.getStatus().retryAt).toBeUndefined();
    expect(uploader.getStatus().lastError).toMatchObject({ code: 'network' });
    await uploader.stop();
  });

  it('retries at once when the browser comes back online', async () => {
    const { clock, store, server, uploader, settle } = setup({ backoff: { baseMs: 60_000 } });
    store.setAck('s', 10);
    server.inject({ step: 'put', answer: 'network' });
    uploader.start();
    await settle();
    expect(uploader.getStatus().retryAt! - clock.now()).toBeGreaterThan(50_000);
    uploader.kick('online');
    await settle();
    expect(server.created).toBe(4);
    expect(uploader.getStatus().retryAt).toBeUndefined();
    await uploader.stop();
  });

  it('runs again right after a run that a kick arrived during, instead of waiting for the poll', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const server = new FakeMediaServer({ apiKey: KEY });
    const gated: typeof fetch = async (input, init) => {
      await gate;
      return server.fetch(input, init);
    };
    const { clock, store, uploader, settle } = setup({ fetch: gated, baseUrl: server.baseUrl });
    store.setAck('s', 1);
    uploader.start();
    await clock.advance(0); // the first run lists what is eligible (2 items), then waits on the gate
    store.setAck('s', 10);
    uploader.kick('acked');
    release();
    await uploader.idle();
    expect(server.created).toBe(2);
    await settle(0);
    expect(server.created).toBe(4);
    await uploader.stop();
  });

  it('does nothing after stop: no timers, kicks ignored', async () => {
    const { clock, store, server, uploader, settle } = setup();
    uploader.start();
    await settle();
    await uploader.stop();
    expect(clock.pendingTimers).toBe(0);
    store.setAck('s', 10);
    uploader.kick('online');
    await settle(10 * DEFAULT_MEDIA_POLL_INTERVAL_MS);
    expect(server.requests).toEqual([]);
  });

  it('uploads released quarantines at once', async () => {
    const { store, server, uploader, settle } = setup();
    store.setAck('s', 10);
    server.inject({ step: 'url', answer: { status: 400, code: 'validation_failed', message: 'no' } });
    uploader.start();
    await settle();
    expect(server.created).toBe(3);
    expect(uploader.getStatus().quarantined).toHaveLength(1);
    expect(await uploader.retryQuarantined()).toBe(1);
    await settle();
    expect(server.created).toBe(4);
    expect(uploader.getStatus()).toMatchObject({ pendingItems: 0, quarantined: [] });
    await uploader.stop();
  });
});
