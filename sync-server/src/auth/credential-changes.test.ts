import { describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { credentialChanges, isRevokedBy, parseCredentialChange, revocationMessage } from './credential-changes';

describe('credential changes', () => {
  it('reads the payloads the triggers send, and nothing else', () => {
    expect(parseCredentialChange('{"keyId":"k1"}')).toEqual({ keyId: 'k1' });
    expect(parseCredentialChange('{"workerId":"w1"}')).toEqual({ workerId: 'w1' });
    for (const payload of [
      undefined,
      '',
      'nope',
      '{}',
      '{"keyId":""}',
      '{"keyId":7}',
      `{"keyId":"${'k'.repeat(2000)}"}`,
    ]) {
      expect(parseCredentialChange(payload)).toBeUndefined();
    }
  });

  it('revokes the worker principals of the key or worker named, never an admin', () => {
    const worker = { kind: 'worker' as const, workerId: 'w1', keyId: 'k1' };
    expect(isRevokedBy({ keyId: 'k1' }, worker)).toBe(true);
    expect(isRevokedBy({ keyId: 'k2' }, worker)).toBe(false);
    expect(isRevokedBy({ workerId: 'w1' }, worker)).toBe(true);
    expect(isRevokedBy({ workerId: 'w1' }, { kind: 'admin', subject: 'w1', expiresAt: 0 })).toBe(false);
    expect(revocationMessage({ keyId: 'k1' })).toBe('API key revoked');
    expect(revocationMessage({ workerId: 'w1' })).toBe('worker disabled');
  });

  it('tells the subscribers of one database handle only, even when one of them throws', () => {
    const db = {} as Kysely<Database>;
    const other = {} as Kysely<Database>;
    const heard: string[] = [];
    const unsubscribe = credentialChanges(db).subscribe(() => {
      throw new Error('listener bug');
    });
    credentialChanges(db).subscribe((change) => heard.push(JSON.stringify(change)));
    credentialChanges(other).subscribe(() => heard.push('other'));
    credentialChanges(db).publish({ keyId: 'k1' });
    unsubscribe();
    credentialChanges(db).publish({ workerId: 'w1' });
    expect(heard).toEqual(['{"keyId":"k1"}', '{"workerId":"w1"}']);
  });
});
