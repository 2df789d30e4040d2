import { describe, expect, it } from 'vitest';
import { samplePng, sampleWebm, sha256Of } from '../testing/media-fixtures';
import { sha256Hex } from './sha256-hex';

describe('sha256Hex', () => {
  it('matches node:crypto, including for empty input', async () => {
    for (const bytes of [new Uint8Array(0), samplePng(1), sampleWebm(5, 100_000)]) {
      expect(await sha256Hex(bytes)).toBe(sha256Of(bytes));
    }
  });
});
