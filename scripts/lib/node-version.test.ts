import { describe, expect, it } from 'vitest';
import { checkNodeVersion, OLDEST_SUPPORTED_NODE_MAJOR, readNvmrc } from './node-version';

describe('checkNodeVersion', () => {
  it('accepts the major .nvmrc names', () => {
    expect(checkNodeVersion('v24.21.0', '24\n')).toEqual({ ok: true, value: 24 });
  });

  it('refuses an older or a different major, naming the target', () => {
    const older = checkNodeVersion('v20.20.2', '24\n');
    expect(older.ok).toBe(false);
    if (!older.ok) expect(older.error).toContain('targets Node 24');
    expect(checkNodeVersion('v22.23.3', '24').ok).toBe(false);
  });

  it('refuses a target below the oldest supported major', () => {
    expect(checkNodeVersion('v20.20.2', '20').ok).toBe(false);
  });

  it('refuses an unreadable .nvmrc', () => {
    expect(checkNodeVersion('v24.21.0', 'lts/*').ok).toBe(false);
  });

  it('this run is on the target Node', () => {
    expect(checkNodeVersion(process.version, readNvmrc())).toEqual({
      ok: true,
      value: Number(readNvmrc().trim()),
    });
    expect(Number(readNvmrc().trim())).toBeGreaterThanOrEqual(OLDEST_SUPPORTED_NODE_MAJOR);
  });
});
