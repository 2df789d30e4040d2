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
 * What this browser masked in the session's typed values, by rule: the counts kept on the session at
 * each write (the page records a rule only on values; masked text, URLs and titles carry tokens instead),
 * most frequent first.
 */
export function localPrivacyLines(session: Pick<Session, 'maskCounts'>): PrivacyReportLine[] {
  return Object.entries(session.maskCounts ?? {})
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number' && entry[1] > 0)
    .map(([rule, count]) => ({ rule, where: 'value', count }))
    .sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule));
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
