import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { extensionForMime } from '@codesight/schema';
import { blobKeyFor, isValidBlobKey, mimeForBlobKey } from './blob-key';

const sha = createHash('sha256').update('hello').digest('hex');

describe('blobKeyFor', () => {
  it('derives a two-level content-addressed key with the extension of the MIME type', () => {
    expect(blobKeyFor(sha, 'image/png')).toBe(`sha256/${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}.png`);
    expect(blobKeyFor(sha, 'audio/webm;codecs=opus')).toMatch(/\.webm$/);
    expect(blobKeyFor(sha, 'application/x-unknown')).toMatch(/\.bin$/);
    expect(isValidBlobKey(blobKeyFor(sha, 'image/jpeg'))).toBe(true);
  });

  it('refuses anything but a lower-case hex SHA-256', () => {
    expect(() => blobKeyFor(sha.toUpperCase(), 'image/png')).toThrow(/SHA-256/);
    expect(() => blobKeyFor('../../etc/passwd', 'image/png')).toThrow(/SHA-256/);
  });
});

describe('extensionForMime / mimeForBlobKey', () => {
  it('maps both ways, preferring audio for webm', () => {
    expect(extensionForMime('IMAGE/JPEG')).toBe('jpg');
    expect(mimeForBlobKey(`sha256/aa/bb/${sha}.jpg`)).toBe('image/jpeg');
    expect(mimeForBlobKey(`sha256/aa/bb/${sha}.webm`)).toBe('audio/webm');
    expect(mimeForBlobKey('x/noext')).toBe('application/octet-stream');
  });
});

describe('isValidBlobKey', () => {
  it.each([
    '../x',
    'a/../b',
    '/abs',
    'a//b',
    'a/',
    '',
    '.hidden',
    'a/.tmp-1',
    'a\\b',
    'c:x',
    'a/%2e%2e/b',
    'a b',
    'a/b/c/d/e/f/g/h/i',
  ])('refuses %j', (key) => {
    expect(isValidBlobKey(key)).toBe(false);
  });

  it.each(['a', 'sha256/ab/cd/file.png', 'exports/cs_1-2.zip'])('accepts %j', (key) => {
    expect(isValidBlobKey(key)).toBe(true);
  });
});
