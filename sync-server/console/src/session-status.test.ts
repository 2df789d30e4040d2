import { describe, expect, it } from 'vitest';
import { statusLabel } from './session-status';

describe('statusLabel', () => {
  it('names each server status, with the missing count for an incomplete session', () => {
    expect(statusLabel({ status: 'complete', missing: 0 })).toEqual({ text: 'complete', tone: 'ok' });
    expect(statusLabel({ status: 'incomplete', missing: 3 })).toEqual({ text: 'incomplete (3 missing)', tone: 'warn' });
    expect(statusLabel({ status: 'incomplete', missing: null }).text).toBe('incomplete');
    expect(statusLabel({ status: 'abandoned', missing: null })).toEqual({ text: 'abandoned', tone: 'bad' });
    expect(statusLabel({ status: 'active', missing: null }).text).toBe('recording');
  });
});
