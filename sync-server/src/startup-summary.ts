import { resolve } from 'node:path';
import { hostPolicy } from './http/host-check';
import { isProduction, type Settings } from './settings';

/**
 * What the server runs with, as printed at start: an operator who copied an old `.env` sees at once
 * where media goes and which database is used. Only names and addresses: never a password, key or
 * secret (the database URL and S3 endpoint are re-assembled from their non-secret parts).
 */
export interface StartupSummary {
  mode: string;
  listen: string;
  database: string;
  blobStore: string;
  publicUrl: string;
  allowedOrigins: string[];
  allowedHosts: string[];
  /** The privacy policy served to extensions (issue 14): mode, version and the number of additions. */
  privacyPolicy: string;
  /** Old variable names read in place of current ones. */
  legacyNames: string[];
  /** Settings an operator must not miss (the dev credentials exposed off loopback). */
  warnings: string[];
}

/** `scheme://host[:port]/path` of `raw` without user, password, query or fragment; undefined if unparsable. */
function withoutCredentials(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return undefined;
  }
}

/** `host:port/database` of a postgres URL; its user, password and parameters (sslkey, password=) left out. */
function describeDatabase(databaseUrl: string | undefined, dataDir: string): string {
  if (databaseUrl === undefined) return `embedded PGlite in ${resolve(dataDir, 'pglite')}`;
  try {
    const url = new URL(databaseUrl);
    const name = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)';
    return `PostgreSQL ${url.host || '(host from the connection parameters)'}/${name}`;
  } catch {
    // pg accepts some URLs WHATWG URL does not (unencoded characters in the password); print none of it.
    return 'PostgreSQL (DATABASE_URL not shown: it does not parse as a URL)';
  }
}

function describeBlobStore(settings: Settings): string {
  if (!settings.s3) return `files under ${resolve(settings.dataDir, 'blobs')}`;
  const { bucket, endpoint, region } = settings.s3;
  const where =
    endpoint === undefined ? `AWS region ${region}` : `endpoint ${withoutCredentials(endpoint) ?? '(not shown)'}`;
  return `S3 bucket ${bucket} (${where})`;
}

/** `strict (pp1-…), 2 block selectors, 1 field name`: what the extensions are told to apply. */
function describePrivacyPolicy(settings: Settings): string {
  const { mode, version, blockSelectors, maskFields } = settings.privacyPolicy;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  return `${mode} (${version}), ${count(blockSelectors.length, 'block selector')}, ${count(maskFields.length, 'field name')}`;
}

/** The summary for `settings`, the server listening on `port` (the real one when PORT=0). */
export function describeStartup(settings: Settings, port: number): StartupSummary {
  const production = isProduction(settings);
  const host = settings.host.includes(':') && !settings.host.startsWith('[') ? `[${settings.host}]` : settings.host;
  const warnings: string[] = [];
  if (settings.devCredentialsOffLoopback) {
    warnings.push(
      `ALLOW_DEV_CREDENTIALS_OFF_LOOPBACK=true: listening on ${settings.host} with the public development key and JWT secret; anyone who can reach this address is an admin`,
    );
  }
  if (settings.jwtSecretIsDevDefault) warnings.push('JWT_SECRET unset: admin tokens use the public development secret');
  return {
    mode: production ? 'production' : `${settings.nodeEnv} (the public development key and JWT secret are accepted)`,
    listen: `${host}:${port}`,
    database: describeDatabase(settings.databaseUrl, settings.dataDir),
    blobStore: describeBlobStore(settings),
    publicUrl:
      settings.publicUrl === undefined
        ? '(unset: taken from each request)'
        : (withoutCredentials(settings.publicUrl) ?? '(not shown)'),
    allowedOrigins: ['chrome-extension://* (any extension id)', ...settings.corsOrigins],
    allowedHosts: ['localhost', '*.localhost', 'IP addresses', ...hostPolicy(settings).names],
    privacyPolicy: describePrivacyPolicy(settings),
    legacyNames: settings.legacyNames.map((n) => `${n.legacy} (use ${n.current}): ${n.note}`),
    warnings,
  };
}

/** The summary as indented lines for stdout, below the banner. */
export function formatStartupSummary(summary: StartupSummary): string {
  const lines = [
    `  mode:            ${summary.mode}`,
    `  listening on:    ${summary.listen}`,
    `  database:        ${summary.database}`,
    `  blob store:      ${summary.blobStore}`,
    `  public URL:      ${summary.publicUrl}`,
    `  allowed origins: ${summary.allowedOrigins.join(', ')}`,
    `  allowed hosts:   ${summary.allowedHosts.join(', ')}`,
    `  privacy policy:  ${summary.privacyPolicy}`,
    ...summary.legacyNames.map((n) => `  old setting:     ${n}`),
    ...summary.warnings.map((w) => `  WARNING:         ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}
