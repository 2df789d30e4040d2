import { describe, expect, it } from 'vitest';
import { createMessageQueues, type FrameRoute } from './message-queues';

/** A task that records when it starts and ends, held until its gate opens. */
function recorder() {
  const log: string[] = [];
  const gates = new Map<string, () => void>();
  const task =
    (name: string, held = false) =>
    async () => {
      log.push(`start ${name}`);
      if (held) await new Promise<void>((resolve) => gates.set(name, resolve));
      log.push(`end ${name}`);
    };
  const release = (name: string) => gates.get(name)?.();
  return { log, task, release };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const batch = (sessionId: string): FrameRoute => ({ kind: 'batch', sessionId });

describe('message queues', () => {
  it('runs sessions side by side, each in order, and drains everything', async () => {
    const queues = createMessageQueues(() => {});
    const r = recorder();
    queues.push(batch('A'), r.task('A1', true));
    queues.push(batch('B'), r.task('B1'));
    queues.push(batch('A'), r.task('A2'));
    await settle();
    expect(r.log).toEqual(['start A1', 'start B1', 'end B1']);
    const drained = queues.drain();
    r.release('A1');
    await drained;
    expect(r.log.slice(3)).toEqual(['end A1', 'start A2', 'end A2']);
  });

  it('puts a session_close between its session\u2019s batches before and after it', async () => {
    const queues = createMessageQueues(() => {});
    const r = recorder();
    queues.push(batch('A'), r.task('A1', true));
    queues.push({ kind: 'session_close', sessionId: 'A' }, r.task('closeA'));
    queues.push(batch('A'), r.task('A2'));
    queues.push({ kind: 'in_order' }, r.task('other'));
    await settle();
    expect(r.log).toEqual(['start A1']);
    r.release('A1');
    await queues.drain();
    const at = (entry: string) => r.log.indexOf(entry);
    expect(at('start closeA')).toBeGreaterThan(at('end A1'));
    expect(at('start A2')).toBeGreaterThan(at('end closeA'));
    expect(at('start other')).toBeGreaterThan(at('end closeA')); // the connection queue keeps arrival order
    expect(r.log).toHaveLength(8);
  });

  it('answers behind everything received before, on any queue', async () => {
    const queues = createMessageQueues(() => {});
    const r = recorder();
    queues.push(batch('A'), r.task('A1', true));
    queues.push({ kind: 'behind_everything' }, r.task('refusal'));
    queues.push(batch('B'), r.task('B1'));
    await settle();
    expect(r.log).toEqual(['start A1', 'start B1', 'end B1']);
    r.release('A1');
    await queues.drain();
    expect(r.log.slice(3)).toEqual(['end A1', 'start refusal', 'end refusal']);
  });

  it('reports a failing task and goes on', async () => {
    const errors: unknown[] = [];
    const queues = createMessageQueues((error) => errors.push(error));
    const r = recorder();
    queues.push({ kind: 'in_order' }, () => Promise.reject(new Error('boom')));
    queues.push({ kind: 'in_order' }, r.task('after'));
    await queues.drain();
    expect(r.log).toEqual(['start after', 'end after']);
    expect(errors).toEqual([new Error('boom')]);
  });
});
