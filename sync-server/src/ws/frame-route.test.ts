import { describe, expect, it } from 'vitest';
import { decodeFrame } from './frame-decoder';
import { routeFrame } from './frame-route';

const decoded = (message: unknown) => decodeFrame(JSON.stringify(message), 10_000);

describe('routeFrame', () => {
  it.each([
    ['a batch goes to its session', { type: 'batch', sessionId: 'A' }, { kind: 'batch', sessionId: 'A' }],
    [
      'a session_close waits for its session',
      { type: 'session_close', sessionId: 'A' },
      { kind: 'session_close', sessionId: 'A' },
    ],
    ['a batch without a string session keeps arrival order', { type: 'batch', sessionId: 7 }, { kind: 'in_order' }],
    ['a session_close without a session keeps arrival order', { type: 'session_close' }, { kind: 'in_order' }],
    ['a legacy message keeps arrival order', { type: 'interaction_data', sessionId: 'A' }, { kind: 'in_order' }],
    ['resume keeps arrival order', { type: 'resume', sessionIds: ['A'] }, { kind: 'in_order' }],
  ])('%s', (_what, message, route) => {
    expect(routeFrame(decoded(message))).toEqual(route);
  });

  it('answers an undecodable frame behind everything, and keeps undecoded frames in arrival order', () => {
    expect(routeFrame(decodeFrame('{oops', 10_000))).toEqual({ kind: 'behind_everything' });
    expect(routeFrame(undefined)).toEqual({ kind: 'in_order' });
  });
});
