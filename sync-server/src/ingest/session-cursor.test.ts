import { describe, expect, it } from 'vitest';
import { decodeSessionCursor, encodeSessionCursor } from './session-cursor';

describe('session cursors', () => {
  it('round-trips the position exactly (millisecond Date and id)', () => {
    const row = { created_at: new Date('2026-11-28T01:02:03.456Z'), id: "cs_x'; --" };
    expect(decodeSessionCursor(encodeSessionCursor(row))).toEqual({ createdAt: row.created_at, id: row.id });
  });

  it.each([
    '',
    'not-base64!',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('["nope","id"]').toString('base64url'),
    Buffer.from('[1,2]').toString('base64url'),
  ])('rejects %j', (cursor) => {
    expect(decodeSessionCursor(cursor)).toBeNull();
  });
});
