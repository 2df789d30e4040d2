import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mintApiKey } from './api-key-format';

describe('API key format', () => {
  it('mints csk_ + 32 random bytes in base64url, stored as SHA-256 hex', () => {
    const a = mintApiKey();
    expect(a.key).toMatch(/^csk_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.key.slice(4), 'base64url')).toHaveLength(32);
    expect(a.hash).toBe(createHash('sha256').update(a.key).digest('hex'));
    expect(a.key.startsWith(a.prefix)).toBe(true);
    expect(a.prefix).toHaveLength(12);
    expect(mintApiKey().key).not.toBe(a.key);
  });
});
