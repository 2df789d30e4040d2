import { describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import { replyToMessage } from './message-reply';

const worker = { kind: 'worker' as const, workerId: 'w1', keyId: 'k1' };

describe('replyToMessage', () => {
  it('passes the handler reply through', async () => {
    const reply = await replyToMessage(
      (_p, m) => Promise.resolve({ type: 'ack', for: m.type }),
      worker,
      { type: 'x' },
      createLogger('silent'),
    );
    expect(reply).toEqual({ type: 'ack', for: 'x' });
  });

  it('turns a throwing handler into a retryable internal error naming the batch, and logs the cause', async () => {
    const lines: string[] = [];
    const log = createLogger('error', (line) => lines.push(line));
    const boom = () => Promise.reject(new Error('database exploded'));
    const reply = await replyToMessage(boom, worker, { type: 'batch', batchId: 'b'.repeat(80) }, log);
    expect(reply).toEqual({
      type: 'error',
      code: 'internal',
      message: 'the server failed to handle this message; retry later',
      batchId: 'b'.repeat(64),
      retryable: true,
    });
    expect(await replyToMessage(boom, worker, { type: 'batch', batchId: '' }, log)).not.toHaveProperty('batchId');
    expect(lines[0]).toContain('database exploded');
  });
});
