import { describe, expect, it } from 'vitest';
import { DEFAULTS, DEV_JWT_SECRET, loadSettings } from './settings';

const SECRET = 'x'.repeat(40);

describe('loadSettings', () => {
  it('fills every default from an empty environment', () => {
    const r = loadSettings({});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: './data',
      s3: undefined,
      jwtSecret: DEV_JWT_SECRET,
      jwtSecretIsDevDefault: true,
      jwtExpiresIn: '12h',
      corsOrigins: [],
      trustProxy: 0,
      maxBodyBytes: DEFAULTS.maxBodyBytes,
      rateLimitPerMinute: 1200,
      authTimeoutMs: 5000,
      abandonAfterMinutes: 120,
      logLevel: 'info',
    });
  });

  it('parses every kind of value', () => {
    const r = loadSettings({
      NODE_ENV: 'production',
      PORT: '8080',
      JWT_SECRET: SECRET,
      DATABASE_URL: 'postgres://u@db:5432/x',
      S3_BUCKET: 'media',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      CORS_ORIGINS: 'https://a.example, https://b.example:8443/',
      TRUST_PROXY: 'true',
      MAX_FRAME_BYTES: '2048',
      LOG_LEVEL: 'warn',
      JWT_EXPIRES_IN: '30m',
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.host).toBe('0.0.0.0');
    expect(r.value.port).toBe(8080);
    expect(r.value.s3).toEqual({
      bucket: 'media',
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      forcePathStyle: true,
    });
    expect(r.value.corsOrigins).toEqual(['https://a.example', 'https://b.example:8443']);
    expect(r.value.trustProxy).toBe(1);
    expect(r.value.maxFrameBytes).toBe(2048);
    expect(r.value.jwtSecretIsDevDefault).toBe(false);
  });

  it('treats empty strings as unset', () => {
    const r = loadSettings({ PORT: '', DATABASE_URL: ' ' });
    expect(r.ok && r.value.port).toBe(3000);
    expect(r.ok && r.value.databaseUrl).toBe(undefined);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT: must be a whole number/],
    [{ PORT: '70000' }, /PORT: must be at most 65535/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL: must be one of/],
    [{ JWT_SECRET: 'short' }, /JWT_SECRET: must be at least 32/],
    [{ TRUST_PROXY: 'maybe' }, /TRUST_PROXY: must be true, false/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL: must be a postgres/],
    [{ CORS_ORIGINS: 'https://ok.example,not an origin' }, /CORS_ORIGINS: "not an origin" must be an origin/],
    [{ CORS_ORIGINS: 'https://a.example/path' }, /CORS_ORIGINS: .*without a path/],
    [{ S3_ENDPOINT: 'http://127.0.0.1:9000' }, /S3_ENDPOINT: has no effect without S3_BUCKET/],
    [{ JWT_EXPIRES_IN: 'forever' }, /JWT_EXPIRES_IN: must be a duration/],
  ])('refuses %o with a clear message', (env, message) => {
    const r = loadSettings(env);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.join('\n')).toMatch(message);
  });

  it('refuses production without JWT_SECRET or with the public dev secret', () => {
    const missing = loadSettings({ NODE_ENV: 'production' });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error[0]).toMatch(/JWT_SECRET: required when NODE_ENV=production/);
    const dev = loadSettings({ NODE_ENV: 'production', JWT_SECRET: DEV_JWT_SECRET });
    expect(dev.ok).toBe(false);
  });
});
