import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  fail,
  makePrivacyPolicy,
  ok,
  SessionSchema,
  SettingsSchema,
  STANDARD_PRIVACY_POLICY,
  validate,
  type PrivacyPolicy,
  type Result,
  type Settings,
} from '@codesight/schema';
import { FakeClock } from '@codesight/schema/testing';
import * as v from 'valibot';
import { AppDB } from '../db/app-db';
import { runCommand, STOP_SETTLE_MS, type CommandDeps } from './commands';

const START = 1_000_000;
let db: AppDB;
/** Time moves only when the test says so (global fake timers would also stop fake-indexeddb's timers). */
let clock: FakeClock;
let n = 0;

beforeEach(() => {
  clock = new FakeClock(START);
  db = new AppDB(`commands-test-${++n}`);
});
afterEach(async () => {
  await db.delete();
});

function deps(
  settings: Partial<Settings> = {},
  download: CommandDeps['download'] = (sessionId) => Promise.resolve(ok({ filename: `${sessionId}.json` })),
  privacy: PrivacyPolicy = STANDARD_PRIVACY_POLICY,
) {
  const published: unknown[] = [];
  const downloads: { sessionId: string; at: number }[] = [];
  const kicks: number[] = [];
  const recorder: string[] = [];
  const d: CommandDeps = {
    db,
    clock,
    environment: () => ({ userAgent: 'ua' }),
    settings: () => Promise.resolve({ ...v.parse(SettingsSchema, {}), ...settings }),
    privacyPolicy: () => Promise.resolve(privacy),
    publishRecording: (state) => {
      published.push(state);
      return Promise.resolve();
    },
    download: (sessionId, format) => {
      downloads.push({ sessionId, at: clock.now() });
      return download(sessionId, format);
    },
    syncKick: () => void kicks.push(clock.now()),
    syncRetry: () => Promise.resolve(),
    recorder: {
      start: (sessionId) => {
        recorder.push(`start ${sessionId}`);
        return Promise.resolve();
      },
      stop: (sessionId) => {
        recorder.push(`stop ${sessionId} at ${clock.now()}`);
        return Promise.resolve();
      },
      control: (command) => {
        recorder.push(command.type);
        return Promise.resolve(ok({ detail: command.type }));
      },
    },
  };
  return { deps: d, published, downloads, kicks, recorder };
}

describe('runCommand', () => {
  it('starts the recorder with the session and stops it before the download', async () => {
    const t = deps();
    await runCommand({ type: 'session/start', sessionId: 's1' }, t.deps);
    const stopping = runCommand({ type: 'session/stop' }, t.deps);
    await vi.waitFor(() => expect(clock.pendingTimers).toBe(1));
    await clock.advance(STOP_SETTLE_MS);
    await stopping;
    // The recorder stops once the pages' last events had their settle time, before the download.
    expect(t.recorder).toEqual(['start s1', `stop s1 at ${START + STOP_SETTLE_MS}`]);
    expect(t.downloads).toEqual([{ sessionId: 's1', at: START + STOP_SETTLE_MS }]);
  });

  it.each(['recorder/pause', 'recorder/resume', 'recorder/burst'] as const)(
    'hands %s to the recorder',
    async (type) => {
      const t = deps();
      expect(await runCommand({ type }, t.deps)).toEqual(ok({ detail: type }));
      expect(t.recorder).toEqual([type]);
    },
  );

  it('starts a session at the clock time and publishes it for the pages', async () => {
    const t = deps();
    const reply = await runCommand({ type: 'session/start', sessionId: 's1' }, t.deps);
    expect(reply).toEqual(ok({ sessionId: 's1' }));
    expect((await db.sessions.get('s1'))?.startTime).toBe(START);
    expect(t.published).toEqual([
      { sessionId: 's1', startTime: START, throttle: expect.any(Object) as unknown, privacy: STANDARD_PRIVACY_POLICY },
    ]);
  });

  it('records the privacy policy in force on the session and hands the same one to the pages', async () => {
    const strict = makePrivacyPolicy({ mode: 'strict', blockSelectors: ['#account'], maskFields: ['member id'] });
    const t = deps({}, undefined, strict);
    await runCommand({ type: 'session/start', sessionId: 's1' }, t.deps);
    const session = await db.sessions.get('s1');
    expect(session?.maskingPolicy).toMatchObject({
      mode: 'strict',
      policyVersion: strict.version,
      blockSelectors: ['#account'],
      maskFields: ['member id'],
    });
    expect(session?.maskingPolicy.rules).toEqual(expect.arrayContaining(['strict', 'policy-field', 'policy-block']));
    expect(validate(SessionSchema, session).ok).toBe(true);
    expect(t.published).toEqual([expect.objectContaining({ privacy: strict })]);
  });

  it('does not list rules that cannot fire under the standard policy', async () => {
    await runCommand({ type: 'session/start', sessionId: 's2' }, deps().deps);
    const rules = (await db.sessions.get('s2'))?.maskingPolicy.rules;
    expect(rules).toContain('name');
    expect(rules).not.toContain('strict');
    expect(rules).not.toContain('policy-block');
  });

  it('passes a refused start through as the failure to show', async () => {
    const t = deps();
    await runCommand({ type: 'session/start', sessionId: 's1' }, t.deps);
    const again = await runCommand({ type: 'session/start', sessionId: 's2' }, t.deps);
    expect(again).toEqual(fail('already_recording', 'session s1 is still recording: stop it first'));
  });

  it('on Stop, unpublishes at once, closes the session after the settle time (ended at the press), then kicks sync and downloads', async () => {
    const t = deps({ autoDownloadJson: true });
    await runCommand({ type: 'session/start', sessionId: 's1' }, t.deps);
    const stopping = runCommand({ type: 'session/stop' }, t.deps);
    await vi.waitFor(() => expect(clock.pendingTimers).toBe(1));
    expect(t.published.at(-1)).toBeNull();
    // Pages are still sending what they held: the session records on, nothing is kicked or downloaded.
    await clock.advance(STOP_SETTLE_MS - 1);
    await Promise.resolve();
    expect((await db.sessions.get('s1'))?.status).toBe('recording');
    expect(t.kicks).toEqual([]);
    expect(t.downloads).toEqual([]);
    await clock.advance(1);
    expect(await stopping).toEqual(ok({ sessionId: 's1', detail: 'downloaded s1.json' }));
    expect(await db.sessions.get('s1')).toMatchObject({ status: 'stopped', endTime: START });
    expect(t.kicks).toEqual([START + STOP_SETTLE_MS]);
    expect(t.downloads).toEqual([{ sessionId: 's1', at: START + STOP_SETTLE_MS }]);
  });

  it('reports a failed automatic download as a detail of a successful Stop', async () => {
    const t = deps({ autoDownloadJson: true }, () => Promise.resolve(fail('export_failed', 'disk full')));
    await runCommand({ type: 'session/start', sessionId: 's1' }, t.deps);
    const stopping = runCommand({ type: 'session/stop' }, t.deps);
    await vi.waitFor(() => expect(clock.pendingTimers).toBe(1));
    await clock.advance(STOP_SETTLE_MS);
    expect(await stopping).toEqual(
      ok({ sessionId: 's1', detail: 'stopped, but the automatic download failed: disk full' }),
    );
  });

  it('stops without downloading when the worker turned the download off, and refuses Stop when idle', async () => {
    const t = deps({ autoDownloadJson: false });
    await runCommand({ type: 'session/start', sessionId: 's1' }, t.deps);
    const stopping = runCommand({ type: 'session/stop' }, t.deps);
    await vi.waitFor(() => expect(clock.pendingTimers).toBe(1));
    await clock.advance(STOP_SETTLE_MS);
    expect(await stopping).toEqual(ok({ sessionId: 's1' }));
    expect(t.downloads).toEqual([]);
    expect(await runCommand({ type: 'session/stop' }, t.deps)).toEqual(
      fail('not_recording', 'no session is recording'),
    );
  });

  it('answers downloads, deletes and retries with what the worker sees', async () => {
    const failing: Result<{ filename: string }> = fail('export_failed', 'no session nope');
    const t = deps({}, (id) => Promise.resolve(id === 'nope' ? failing : ok({ filename: `${id}.zip` })));
    await runCommand({ type: 'session/start', sessionId: 's1' }, t.deps);
    expect(await runCommand({ type: 'session/download', sessionId: 's1', format: 'zip' }, t.deps)).toEqual(
      ok({ sessionId: 's1', detail: 's1.zip' }),
    );
    expect(await runCommand({ type: 'session/download', sessionId: 'nope', format: 'zip' }, t.deps)).toEqual(failing);
    expect(await runCommand({ type: 'session/delete', sessionId: 's1' }, t.deps)).toEqual(
      fail('still_recording', 'stop the session before deleting it'),
    );
    expect(await runCommand({ type: 'sync/retry', sessionId: 's1' }, t.deps)).toEqual(
      ok({ sessionId: 's1', detail: 'sending again' }),
    );
  });
});
