import { describe, expect, it } from 'vitest';
import { decodeJobCursor, encodeJobCursor } from './job-list';

describe('job cursors', () => {
  it('read back what they were made from', () => {
    const cursor = { createdAt: 1_767_603_600_123, id: '6f1c2b7e-9d0a-4c6b-8e1f-3a5d7c9b0e2f' };
    expect(decodeJobCursor(encodeJobCursor(cursor))).toEqual(cursor);
  });

  it('refuse text this server did not make', () => {
    for (const text of [
      '',
      'bm90LWEtY3Vyc29y',
      Buffer.from('12:a b').toString('base64url'),
      Buffer.from(`1:${'a'.repeat(65)}`).toString('base64url'),
    ])
      expect(decodeJobCursor(text), text).toBeNull();
  });
});
