import {
  fail,
  ok,
  PrivacyReportSchema,
  validate,
  type Clock,
  type Failure,
  type PrivacyReport,
  type Result,
  type Session,
} from '@codesight/schema';
import { sendBounded } from '../sync/transport/bounded-fetch';
import { deriveServerAddress } from '../sync/transport/server-address';

/** One line of the popup's privacy report: a rule, where it applied, how often. Never content. */
export interface PrivacyReportLine {
  rule: string;
  where: string;
  count: number;
}

/**
 * What this browser masked in the session, by rule and location, most frequent first: typed values from
 * their `mask` (one per value), text, URLs, titles and attributes from the tokens masking left there.
 * Both are counted at each write and kept on the session, so the popup never scans the events.
 */
export function localPrivacyLines(session: Pick<Session, 'maskCounts' | 'maskCountsByLocation'>): PrivacyReportLine[] {
  const lines: PrivacyReportLine[] = [];
  for (const [rule, count] of Object.entries(session.maskCounts ?? {}))
    if (typeof count === 'number' && count > 0) lines.push({ rule, where: 'value', count });
  for (const [rule, byLocation] of Object.entries(session.maskCountsByLocation ?? {}))
    for (const [where, count] of Object.entries(byLocation ?? {}))
      if (typeof count === 'number' && count > 0) lines.push({ rule, where, count });
  return lines.sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule) || a.where.localeCompare(b.where));
}

/** A short description of the policy a session recorded under. */
export function policyLabel(session: Pick<Session, 'maskingPolicy'>): string {
  const { mode, policyVersion, blockSelectors, maskFields } = session.maskingPolicy;
  if (!mode) return `recorded before privacy policies (${session.maskingPolicy.version})`;
  const additions = (blockSelectors?.length ?? 0) + (maskFields?.length ?? 0);
  return `${mode} policy${policyVersion ? ` ${policyVersion}` : ''}${additions ? `, ${additions} deployment additions` : ''}`;
}

/** The server's answer can wait this long before the popup says it has none. */
const REPORT_TIMEOUT_MS = 10_000;

/**
 * The server's privacy report of the session (`GET /api/sessions/:id/privacy`, the worker's own): what
 * the client sent masked, and what the server still had to mask in what it received.
 */
export async function fetchServerPrivacyReport(
  http: { fetch: typeof fetch; clock: Clock },
  settings: { serverUrl: string; apiKey: string },
  sessionId: string,
): Promise<Result<PrivacyReport, Failure<'not_configured' | 'unavailable'>>> {
  if (!settings.serverUrl || !settings.apiKey) return fail('not_configured', 'no server configured');
  const address = deriveServerAddress(settings.serverUrl);
  if (!address.ok) return fail('not_configured', address.error.message);
  const answer = await sendBounded(
    http,
    `${address.value.httpBase}/api/sessions/${encodeURIComponent(sessionId)}/privacy`,
    { headers: { Authorization: `Bearer ${settings.apiKey}` } },
    REPORT_TIMEOUT_MS,
    'privacy report',
  );
  if (!answer.ok) return fail('unavailable', answer.error.message);
  if (answer.value.status !== 200) return fail('unavailable', `the server answered ${answer.value.status}`);
  try {
    const parsed = validate(PrivacyReportSchema, JSON.parse(answer.value.text));
    return parsed.ok ? ok(parsed.value) : fail('unavailable', `unreadable report: ${parsed.error.message}`);
  } catch {
    return fail('unavailable', 'the report is not JSON');
  }
}
