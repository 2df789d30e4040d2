import { describe, expect, it } from 'vitest';
import { startsWebmStream } from './webm-header';

describe('startsWebmStream', () => {
  it.each([
    ['an EBML header', [0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86], true],
    ['a Cluster (a later timeslice)', [0x1f, 0x43, 0xb6, 0x75, 0x01], false],
    ['a SimpleBlock', [0xa3, 0x1a, 0x45, 0xdf, 0xa3], false],
    ['fewer than four bytes', [0x1a, 0x45, 0xdf], false],
    ['nothing', [], false],
  ])('%s: %s', async (_name, bytes, expected) => {
    expect(await startsWebmStream(new Blob([new Uint8Array(bytes)]))).toBe(expected);
  });
});
