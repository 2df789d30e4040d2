import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings, type Settings } from './settings';
import { describeStartup, formatStartupSummary } from './startup-summary';

const SECRET = 's'.repeat(40);

function settingsFrom(env: Record<string, string>): Settings {
  const r = loadSettings(env);
  if (!r.ok) throw new Error(r.error.join('\n'));
  return r.value;
}

describe('describeStartup', () => {
  it('describes a development server: embedded database, blobs on disk, dev credentials', () => {
    const s = describeStartup(settingsFrom({ DATA_DIR: '/srv/cs' }), 3000);
    expect(s).toMatchObject({
      listen: '127.0.0.1:3000',
      database: `embedded PGlite in ${resolve('/srv/cs/pglite')}`,
      blobStore: `files under ${resolve('/srv/cs/blobs')}`,
      publicUrl: '(unset: taken from each request)',
      allowedOrigins: ['chrome-extension://* (any extension id)'],
    });
    expect(s.mode).toMatch(/public development key and JWT secret are accepted/);
    expect(s.warnings).toEqual(['JWT_SECRET unset: admin tokens use the public development secret']);
  });

  it('names the privacy policy the extensions are served', () => {
    expect(describeStartup(settingsFrom({}), 3000).privacyPolicy).toMatch(
      /^standard \(pp1-[0-9a-f]{14}\), 0 block selectors, 0 field names$/,
    );
    const strict = settingsFrom({
      PRIVACY_POLICY: 'strict',
      PRIVACY_MASK_FIELDS: 'badge',
      PRIVACY_BLOCK_SELECTORS: '.a;.b',
    });
    expect(describeStartup(strict, 3000).privacyPolicy).toMatch(
      /^strict \(pp1-[0-9a-f]{14}\), 2 block selectors, 1 field name$/,
    );
  });

  it('leaves every credential out of URLs: user, password, password= parameters, S3 endpoint user info', () => {
    const settings = settingsFrom({
      NODE_ENV: 'production',
      JWT_SECRET: SECRET,
      HOST: '::',
      PUBLIC_URL: 'https://ops:pub-pass@collector.example/base',
      DATABASE_URL: 'postgresql://app:db-pass@db.internal:6543/codesight?sslmode=require&password=q-pass',
      S3_BUCKET: 'media',
      S3_ENDPOINT: 'http://minio-user:minio-pass@minio:9000',
      CORS_ORIGINS: 'https://console.example',
      ALLOWED_HOSTS: 'collector-upstream',
    });
    const s = describeStartup(settings, 8080);
    expect(s).toMatchObject({
      mode: 'production',
      listen: '[::]:8080',
      database: 'PostgreSQL db.internal:6543/codesight',
      blobStore: 'S3 bucket media (endpoint http://minio:9000)',
      publicUrl: 'https://collector.example/base',
      allowedOrigins: ['chrome-extension://* (any extension id)', 'https://console.example'],
      allowedHosts: ['localhost', '*.localhost', 'IP addresses', 'collector-upstream', 'collector.example'],
      warnings: [],
    });
    const text = formatStartupSummary(s) + JSON.stringify(s);
    for (const secret of [SECRET, 'db-pass', 'q-pass', 'minio-pass', 'minio-user', 'pub-pass', 'app:']) {
      expect(text).not.toContain(secret);
    }
  });

  it('prints nothing of a database URL it cannot parse', () => {
    const settings = { ...settingsFrom({}), databaseUrl: 'postgres://u:p@ss w#rd@db/x' };
    expect(describeStartup(settings, 1).database).toBe(
      'PostgreSQL (DATABASE_URL not shown: it does not parse as a URL)',
    );
  });

  it('describes AWS S3 by region, and the old names and the off-loopback override in capitals', () => {
    const s = describeStartup(
      settingsFrom({ HOST: '0.0.0.0', ALLOW_DEV_CREDENTIALS_OFF_LOOPBACK: 'true', S3_BUCKET_NAME: 'old-bucket' }),
      3000,
    );
    expect(s.blobStore).toBe('S3 bucket old-bucket (AWS region us-east-1)');
    const text = formatStartupSummary(s);
    expect(text).toContain('old setting:     S3_BUCKET_NAME (use S3_BUCKET): read as S3_BUCKET; rename it');
    expect(text).toMatch(/WARNING: +ALLOW_DEV_CREDENTIALS_OFF_LOOPBACK=true: listening on 0\.0\.0\.0/);
  });
});
