import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AckMessageSchema,
  AuthenticationSuccessSchema,
  LegacySessionExportSchema,
  TrainingDataSchema,
  validate,
} from '@codesight/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/main';
import { TINY_PNG_BASE64, TINY_PNG_DATA_URL } from '../src/testing/test-images';
import { testSettings } from '../src/testing/test-settings';
import { connect } from './testing/ws-client';

let dir: string;
let server: RunningServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ws-legacy-'));
  server = await startServer(testSettings({ dataDir: dir, port: 0 }));
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const T0 = 1_752_327_000_000;
const SESSION = 'cs_md0ap0gn_thwyx';

const get = async (path: string) => {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: 'Bearer test-key-dev' } });
  expect(res.status).toBe(200);
  return res.json();
};

describe('an old client on /extension-ws, message for message', () => {
  it('authenticates with test-key-dev, streams a session and reads it back', async () => {
    const socket = await connect(`${server.url.replace('http', 'ws')}/extension-ws`);
    socket.send({ type: 'authenticate', apiKey: 'test-key-dev' });
    const auth = await socket.next();
    expect(validate(AuthenticationSuccessSchema, auth).ok).toBe(true);
    expect(auth).toMatchObject({ type: 'authentication_success', workerId: 'dev-worker' });
    expect(Math.abs((auth.serverTime as number) - Date.now())).toBeLessThan(10_000);

    socket.send({
      type: 'session_start',
      sessionId: SESSION,
      startTime: T0,
      url: 'https://shop.example/',
      userAgent: 'Mozilla/5.0 Chrome/120',
      task: 'buy a mug',
    });
    const started = await socket.next();
    expect(validate(AckMessageSchema, started).ok).toBe(true);
    expect(started).toEqual({ type: 'ack', for: 'session_start', sessionId: SESSION, stored: 1, status: 'active' });

    // One interaction, as the old content script streamed clicks.
    socket.send({
      type: 'interaction_data',
      sessionId: SESSION,
      data: {
        type: 'click',
        timestamp: T0 + 1000,
        url: 'https://shop.example/product?id=3',
        selector: '#add-to-cart',
        element: 'button',
        text: 'Add to Cart',
        coordinates: { x: 450, y: 200 },
        modifiers: { ctrlKey: false },
        offsetX: 12,
        offsetY: 8,
        isVisible: true,
      },
    });
    expect(await socket.next()).toEqual({
      type: 'ack',
      for: 'interaction_data',
      sessionId: SESSION,
      stored: 1,
      duplicates: 0,
      sequences: [1],
    });

    // An array, as the old background flushed its buffer.
    socket.send({
      type: 'interaction_data',
      sessionId: SESSION,
      data: [
        {
          type: 'scroll',
          timestamp: T0 + 2000,
          url: 'https://shop.example/product?id=3',
          coordinates: { x: 0, y: 700 },
        },
        {
          type: 'input',
          timestamp: T0 + 3000,
          url: 'https://shop.example/checkout',
          selector: '#qty',
          element: 'input',
          text: '2',
        },
        { type: 'navigation', timestamp: T0 + 4000, url: 'https://shop.example/cart' },
      ],
    });
    expect(await socket.next()).toMatchObject({
      type: 'ack',
      for: 'interaction_data',
      stored: 3,
      sequences: [2, 3, 4],
    });

    socket.send({
      type: 'screenshot_data',
      sessionId: SESSION,
      image: TINY_PNG_DATA_URL,
      timestamp: T0 + 1000,
      trigger: 'click',
      burstId: 'burst-1',
      burstIndex: 0,
      burstTotal: 1,
    });
    const shot = await socket.next();
    expect(validate(AckMessageSchema, shot).ok).toBe(true);
    expect(shot).toMatchObject({
      type: 'ack',
      for: 'screenshot_data',
      sessionId: SESSION,
      stored: 1,
      screenshotId: expect.any(String) as unknown,
    });

    socket.send({ type: 'session_end', sessionId: SESSION, endTime: T0 + 900_000, totalEvents: 4 });
    expect(await socket.next()).toEqual({
      type: 'ack',
      for: 'session_end',
      sessionId: SESSION,
      stored: 0,
      status: 'complete',
    });
    socket.close();
    expect((await socket.closed).code).toBe(1005);

    const legacy = await get(`/api/extension/sessions/${SESSION}/data`);
    const checked = validate(LegacySessionExportSchema, legacy);
    expect(checked.ok, checked.ok ? '' : checked.error.message).toBe(true);
    expect(legacy).toMatchObject({
      sessionId: SESSION,
      startTime: new Date(T0).toISOString(),
      endTime: new Date(T0 + 900_000).toISOString(),
      duration: 900_000,
      totalEvents: 4,
      events: [
        {
          type: 'click',
          data: {
            selector: '#add-to-cart',
            element: 'button',
            text: 'Add to Cart',
            coordinates: { x: 450, y: 200 },
            url: 'https://shop.example/product?id=3',
            timestamp: T0 + 1000,
          },
        },
        { type: 'scroll', data: { timestamp: T0 + 2000 } },
        { type: 'input', data: { selector: '#qty', text: '2' } },
        { type: 'navigation', data: { url: 'https://shop.example/cart' } },
      ],
      summary: { clicks: 1, inputs: 1, scrolls: 1, navigations: 1, pagesVisited: ['shop.example'] },
    });

    const training = await get(`/api/extension/sessions/${SESSION}/training-data`);
    expect(validate(TrainingDataSchema, training).ok).toBe(true);
    expect(training).toMatchObject({
      video_path: null,
      audio_path: null,
      annotations: [
        {
          timestamp: T0 + 1000,
          action_type: 'click',
          target_selector: '#add-to-cart',
          coordinates: [450, 200],
          element_text: 'Add to Cart',
          page_url: 'https://shop.example/product?id=3',
          // A legacy screenshot names no triggering sequence, so no annotation claims it.
          screenshot_ids: [],
        },
        { action_type: 'scroll', screenshot_ids: [] },
        { action_type: 'input', target_selector: '#qty', element_text: '2', screenshot_ids: [] },
        { action_type: 'navigation', page_url: 'https://shop.example/cart', screenshot_ids: [] },
      ],
    });

    const list = (await get('/api/extension/sessions')) as { sessions: Record<string, unknown>[] };
    expect(list.sessions[0]).toMatchObject({ sessionId: SESSION, status: 'complete', totalEvents: 4 });
    // The screenshot's bytes are in the blob store under their hash.
    const shotPath = `/api/blobs/sha256/${createHash('sha256')
      .update(Buffer.from(TINY_PNG_BASE64, 'base64'))
      .digest('hex')
      .replace(/^(..)(..)/, '$1/$2/$1$2')}.png`;
    // The screenshot listing shows it with its burst fields and where the bytes are.
    expect(await get(`/api/extension/sessions/${SESSION}/screenshots`)).toEqual({
      screenshots: [
        expect.objectContaining({
          id: shot.screenshotId,
          burstId: 'burst-1',
          burstIndex: 0,
          burstTotal: 1,
          trigger: 'click',
          triggerSequence: null,
          timestamp: T0 + 1000,
          mime: 'image/png',
          uploaded: true,
          url: `${server.url}${shotPath}`,
        }),
      ],
      nextCursor: null,
    });
    const blob = await fetch(`${server.url}${shotPath}`, { headers: { 'x-api-key': 'test-key-dev' } });
    expect(blob.status).toBe(200);
    expect(Buffer.from(await blob.arrayBuffer()).toString('base64')).toBe(TINY_PNG_BASE64);
  });

  it('serves the same protocol on /ws, and keeps acks in order for a burst of messages', async () => {
    const socket = await connect(`${server.url.replace('http', 'ws')}/ws`);
    // An old client that does not wait for authentication_success before streaming.
    socket.send({ type: 'authenticate', apiKey: 'test-key-dev' });
    for (let i = 1; i <= 30; i++) {
      socket.send({
        type: 'interaction_data',
        sessionId: 'cs_burst',
        data: { type: 'click', timestamp: T0 + i, url: 'https://shop.example/', selector: `#b${i}` },
      });
    }
    expect((await socket.next()).type).toBe('authentication_success');
    for (let i = 1; i <= 30; i++) expect(await socket.next()).toMatchObject({ type: 'ack', sequences: [i] });
    socket.close();
  });
});
