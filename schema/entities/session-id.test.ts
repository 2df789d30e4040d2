import { describe, expect, it } from 'vitest';
import { generateSessionId, SessionIdSchema } from './session-id';
import { validate } from '../validate';

describe('session ids', () => {
  it('generates the legacy cs_<base36 time>_<random> shape', () => {
    const id = generateSessionId(1_752_327_000_000, () => 0.5);
    expect(id).toBe(`cs_${(1_752_327_000_000).toString(36)}_iiiii`);
    expect(generateSessionId()).toMatch(/^cs_[0-9a-z]+_[0-9a-z]{5}$/);
  });

  it.each([
    ['cs_md0ap0gn_thwyx', true],
    ['my-session_01', true],
    ['a'.repeat(64), true],
    ['a'.repeat(65), false],
    ['', false],
    ['has space', false],
    ['../etc/passwd', false],
    ['semi;colon', false],
    ['ünï', false],
  ])('%s valid=%s', (id, ok) => {
    expect(validate(SessionIdSchema, id).ok).toBe(ok);
  });
});
