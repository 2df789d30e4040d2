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
      PUBLIC_URL: 'https://collector.example/',
      ALLOWED_HOSTS: 'Collector-Internal, api.example',
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
    expect(r.value.publicUrl).toBe('https://collector.example');
    expect(r.value.allowedHosts).toEqual(['collector-internal', 'api.example']);
    expect(r.value.legacyNames).toEqual([]);
  });

  it('reads the three rate limits and the pending-socket cap, with defaults sized for a crowd behind one NAT', () => {
    const defaults = loadSettings({});
    expect(defaults.ok && defaults.value).toMatchObject({
      rateLimitPerMinute: 1200,
      rateLimitPerMinuteIp: 6000,
      rateLimitAuthFailuresPerMinuteIp: 600,
      wsMaxPendingAuth: 4000,
      wsMaxPendingAuthPerIp: 1000,
    });
    const set = loadSettings({
      RATE_LIMIT_PER_MINUTE: '10',
      RATE_LIMIT_PER_MINUTE_IP: '20',
      RATE_LIMIT_AUTH_FAILURES_PER_MINUTE_IP: '30',
      WS_MAX_PENDING_AUTH_PER_IP: '40',
      WS_MAX_PENDING_AUTH: '50',
    });
    expect(set.ok && set.value).toMatchObject({
      rateLimitPerMinute: 10,
      rateLimitPerMinuteIp: 20,
      rateLimitAuthFailuresPerMinuteIp: 30,
      wsMaxPendingAuthPerIp: 40,
      wsMaxPendingAuth: 50,
    });
    expect(loadSettings({ RATE_LIMIT_AUTH_FAILURES_PER_MINUTE_IP: '0' })).toMatchObject({
      ok: false,
      error: [expect.stringContaining('RATE_LIMIT_AUTH_FAILURES_PER_MINUTE_IP') as unknown],
    });
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
    [{ ALLOWED_HOSTS: 'https://a.example' }, /ALLOWED_HOSTS: "https:\/\/a.example" must be a host name/],
    [{ ALLOWED_HOSTS: 'a.example:8443' }, /ALLOWED_HOSTS: .*without scheme or port/],
    [{ S3_BUCKET_NAME: 'Not A Bucket' }, /S3_BUCKET_NAME: must be a valid S3 bucket name/],
    [{ FRONTEND_URL: 'vercel app' }, /FRONTEND_URL: must be a URL/],
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

  it('refuses production without PUBLIC_URL: the Host check needs the name clients use', () => {
    const r = loadSettings({ NODE_ENV: 'production', JWT_SECRET: SECRET });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.join('\n')).toMatch(/PUBLIC_URL: required when NODE_ENV=production/);
  });
});

describe('development credentials off loopback (issue 10, finding 9)', () => {
  it.each(['0.0.0.0', '::', '192.168.1.20', 'collector.lan'])(
    'refuses HOST=%s outside production, naming the ways out',
    (host) => {
      for (const nodeEnv of ['development', 'test']) {
        const r = loadSettings({ NODE_ENV: nodeEnv, HOST: host, JWT_SECRET: SECRET });
        expect(r.ok).toBe(false);
        if (!r.ok) {
          const text = r.error.join('\n');
          expect(text).toContain(`setting HOST: ${host} is not a loopback address`);
          expect(text).toMatch(/public development key and JWT secret/);
          expect(text).toMatch(/ALLOW_DEV_CREDENTIALS_OFF_LOOPBACK=true/);
        }
      }
    },
  );

  it.each(['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])(
    'starts on the loopback address %s without the override',
    (host) => {
      const r = loadSettings({ HOST: host });
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.value.devCredentialsOffLoopback).toBe(false);
    },
  );

  it('starts off loopback with the explicit override, flagged for the loud warning', () => {
    const r = loadSettings({ HOST: '0.0.0.0', ALLOW_DEV_CREDENTIALS_OFF_LOOPBACK: 'true' });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.devCredentialsOffLoopback).toBe(true);
    const onLoopback = loadSettings({ ALLOW_DEV_CREDENTIALS_OFF_LOOPBACK: 'true' });
    expect(onLoopback.ok && onLoopback.value.devCredentialsOffLoopback).toBe(false);
  });

  it('production listens anywhere; the override is refused there as meaningless', () => {
    const base = { NODE_ENV: 'production', JWT_SECRET: SECRET, PUBLIC_URL: 'https://c.example' };
    expect(loadSettings({ ...base, HOST: '0.0.0.0' }).ok).toBe(true);
    const r = loadSettings({ ...base, ALLOW_DEV_CREDENTIALS_OFF_LOOPBACK: 'yes' });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error.join('\n')).toMatch(/ALLOW_DEV_CREDENTIALS_OFF_LOOPBACK: has no effect when NODE_ENV=production/);
  });
});

describe('old deployment variable names (issue 10, operations)', () => {
  it('reads S3_BUCKET_NAME and AWS_REGION as S3_BUCKET and S3_REGION, and says so', () => {
    const r = loadSettings({ S3_BUCKET_NAME: 'codesight-recordings', AWS_REGION: 'eu-west-1' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.s3).toMatchObject({ bucket: 'codesight-recordings', region: 'eu-west-1' });
    expect(r.value.legacyNames.map((n) => [n.legacy, n.current])).toEqual([
      ['S3_BUCKET_NAME', 'S3_BUCKET'],
      ['AWS_REGION', 'S3_REGION'],
    ]);
  });

  it('refuses S3_BUCKET_NAME naming another bucket than S3_BUCKET', () => {
    const r = loadSettings({ S3_BUCKET_NAME: 'old-bucket', S3_BUCKET: 'new-bucket' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.join('\n')).toMatch(/S3_BUCKET_NAME: the old name of S3_BUCKET.*keep only S3_BUCKET/);
    const same = loadSettings({ S3_BUCKET_NAME: 'one-bucket', S3_BUCKET: 'one-bucket' });
    expect(same.ok && same.value.s3?.bucket).toBe('one-bucket');
  });

  it('leaves AWS_REGION alone without a bucket (AWS runtimes set it) and lets S3_REGION win', () => {
    const fs = loadSettings({ AWS_REGION: 'eu-west-1' });
    expect(fs.ok && fs.value.s3).toBe(undefined);
    expect(fs.ok && fs.value.legacyNames).toEqual([]);
    const both = loadSettings({ S3_BUCKET: 'media', S3_REGION: 'us-west-2', AWS_REGION: 'eu-west-1' });
    expect(both.ok).toBe(true);
    if (!both.ok) return;
    expect(both.value.s3?.region).toBe('us-west-2');
    expect(both.value.legacyNames[0]).toMatchObject({ legacy: 'AWS_REGION', current: 'S3_REGION' });
  });

  it('reads FRONTEND_URL as an allowed CORS origin; refuses it when CORS_ORIGINS leaves it out', () => {
    const alone = loadSettings({ FRONTEND_URL: 'https://your-frontend.vercel.app/' });
    expect(alone.ok && alone.value.corsOrigins).toEqual(['https://your-frontend.vercel.app']);
    expect(alone.ok && alone.value.legacyNames[0]).toMatchObject({ legacy: 'FRONTEND_URL', current: 'CORS_ORIGINS' });
    const listed = loadSettings({
      FRONTEND_URL: 'https://console.example',
      CORS_ORIGINS: 'https://a.example,https://console.example',
    });
    expect(listed.ok && listed.value.corsOrigins).toEqual(['https://a.example', 'https://console.example']);
    const conflict = loadSettings({ FRONTEND_URL: 'https://console.example', CORS_ORIGINS: 'https://a.example' });
    expect(conflict.ok).toBe(false);
    if (!conflict.ok)
      expect(conflict.error.join('\n')).toMatch(/FRONTEND_URL: .*does not list https:\/\/console.example/);
  });

  it("starts from the legacy collector README's backend .env once PUBLIC_URL and a real secret are added", () => {
    const r = loadSettings({
      DATABASE_URL: 'postgresql://u:p@db.example:5432/codesight',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_REGION: 'us-east-1',
      S3_BUCKET_NAME: 'codesight-recordings',
      FRONTEND_URL: 'https://your-frontend.vercel.app',
      NODE_ENV: 'production',
      JWT_SECRET: SECRET,
      PUBLIC_URL: 'https://your-backend.railway.app',
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.s3?.bucket).toBe('codesight-recordings');
    expect(r.value.corsOrigins).toEqual(['https://your-frontend.vercel.app']);
  });
});

describe('admin console settings (issue 13)', () => {
  it('defaults to 12 h sessions, 30 min idle, 5 failures locking 15 min up to a day, 10 sign-ins a minute', () => {
    const r = loadSettings({});
    expect(r.ok && r.value).toMatchObject({
      adminSessionLifetimeMinutes: 720,
      adminSessionIdleMinutes: 30,
      adminLockoutThreshold: 5,
      adminLockoutMinutes: 15,
      adminLockoutMaxMinutes: 1440,
      adminSignInPerMinuteIp: 10,
    });
  });

  it('reads them from the environment and refuses a longest lock shorter than the first', () => {
    const r = loadSettings({ ADMIN_SESSION_IDLE_MINUTES: '5', ADMIN_LOCKOUT_THRESHOLD: '3' });
    expect(r.ok && [r.value.adminSessionIdleMinutes, r.value.adminLockoutThreshold]).toEqual([5, 3]);
    const bad = loadSettings({ ADMIN_LOCKOUT_MINUTES: '60', ADMIN_LOCKOUT_MAX_MINUTES: '30' });
    expect(!bad.ok && bad.error).toEqual(['setting ADMIN_LOCKOUT_MAX_MINUTES: must be at least ADMIN_LOCKOUT_MINUTES']);
    expect(loadSettings({ ADMIN_LOCKOUT_THRESHOLD: '0' }).ok).toBe(false);
  });
});

describe('screenshot analysis settings (issue 13)', () => {
  const PROD = { NODE_ENV: 'production', JWT_SECRET: SECRET, PUBLIC_URL: 'https://collector.example' };

  it('is off by default: nothing is configured, nothing is sent', () => {
    const r = loadSettings({});
    expect(r.ok && r.value.vision).toBeUndefined();
  });

  it('is on with a URL and a key, with a default model and bounds; the trailing slash is dropped', () => {
    const r = loadSettings({ VISION_API_URL: 'https://api.openai.com/v1/', VISION_API_KEY: 'sk-test' });
    expect(r.ok && r.value.vision).toEqual({
      apiUrl: 'https://api.openai.com/v1',
      apiKey: 'sk-test',
      model: DEFAULTS.visionModel,
      maxScreenshotsPerSession: DEFAULTS.visionMaxScreenshotsPerSession,
      requestTimeoutMs: DEFAULTS.visionTimeoutMs,
    });
    const tuned = loadSettings({
      VISION_API_URL: 'http://127.0.0.1:8000/v1',
      VISION_API_KEY: 'local',
      VISION_MODEL: 'llava:13b',
      VISION_MAX_SCREENSHOTS_PER_SESSION: '5',
      VISION_TIMEOUT_MS: '2000',
    });
    expect(tuned.ok && tuned.value.vision).toMatchObject({ model: 'llava:13b', maxScreenshotsPerSession: 5 });
  });

  it('refuses half a configuration instead of guessing "off"', () => {
    const urlOnly = loadSettings({ VISION_API_URL: 'https://api.openai.com/v1' });
    expect(!urlOnly.ok && urlOnly.error).toEqual([expect.stringMatching(/^setting VISION_API_KEY: required with/)]);
    const keyOnly = loadSettings({ VISION_API_KEY: 'sk-test' });
    expect(!keyOnly.ok && keyOnly.error).toEqual([expect.stringMatching(/^setting VISION_API_URL: required with/)]);
    const modelOnly = loadSettings({ VISION_MODEL: 'gpt-4o' });
    expect(!modelOnly.ok && modelOnly.error).toEqual([
      'setting VISION_MODEL: has no effect without VISION_API_URL and VISION_API_KEY',
    ]);
  });

  it('keeps the key off clear text in production, loopback model servers aside', () => {
    const clear = loadSettings({ ...PROD, VISION_API_URL: 'http://vision.example/v1', VISION_API_KEY: 'k' });
    expect(!clear.ok && clear.error).toEqual([expect.stringMatching(/^setting VISION_API_URL: must be https/)]);
    const local = loadSettings({ ...PROD, VISION_API_URL: 'http://127.0.0.1:11434/v1', VISION_API_KEY: 'k' });
    expect(local.ok).toBe(true);
    const dev = loadSettings({ VISION_API_URL: 'http://vision.example/v1', VISION_API_KEY: 'k' });
    expect(dev.ok).toBe(true);
  });

  it('refuses a URL carrying credentials or a query, and malformed values', () => {
    const creds = loadSettings({ VISION_API_URL: 'https://u:p@api.example/v1', VISION_API_KEY: 'k' });
    expect(!creds.ok && creds.error[0]).toMatch(/without credentials, query or fragment/);
    expect(loadSettings({ VISION_API_URL: 'ftp://api.example', VISION_API_KEY: 'k' }).ok).toBe(false);
    expect(loadSettings({ VISION_API_URL: 'https://api.example', VISION_API_KEY: 'k', VISION_MODEL: 'a b' }).ok).toBe(
      false,
    );
    expect(
      loadSettings({ VISION_API_URL: 'https://api.example', VISION_API_KEY: 'k', VISION_TIMEOUT_MS: '10' }).ok,
    ).toBe(false);
  });
});

describe('shutdown bound (issue 15)', () => {
  it('defaults to 20 s, reads SHUTDOWN_TIMEOUT_MS and refuses a bound too short to drain anything', () => {
    const r = loadSettings({});
    expect(r.ok && r.value.shutdownTimeoutMs).toBe(20_000);
    const set = loadSettings({ SHUTDOWN_TIMEOUT_MS: '5000' });
    expect(set.ok && set.value.shutdownTimeoutMs).toBe(5000);
    const bad = loadSettings({ SHUTDOWN_TIMEOUT_MS: '10' });
    expect(!bad.ok && bad.error).toEqual(['setting SHUTDOWN_TIMEOUT_MS: must be at least 1000']);
  });
});
