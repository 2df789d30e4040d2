import { useState } from 'preact/hooks';
import { systemClock, type PrivacyReport as ServerReport, type Session } from '@codesight/schema';
import { loadSettings } from '../settings/settings-store';
import {
  fetchServerPrivacyReport,
  localPrivacyLines,
  policyLabel,
  type PrivacyReportLine,
} from '../privacy/privacy-report';

function Lines({ lines, empty }: { lines: readonly PrivacyReportLine[]; empty: string }) {
  if (lines.length === 0) return <p class="hint">{empty}</p>;
  return (
    <ul class="privacy-lines">
      {lines.map((l) => (
        <li key={`${l.rule}:${l.where}`}>
          <code>{l.rule}</code> in {l.where}: {l.count}
        </li>
      ))}
    </ul>
  );
}

/**
 * A stopped session's privacy report: the policy it recorded under, what this browser masked (counts by
 * rule and location), and on request the server's counts. Counts only: no masked content is ever shown or kept.
 */
export function PrivacyReport({ session, open }: { session: Session; open: boolean }) {
  const [server, setServer] = useState<ServerReport | string | null>(null);
  const [loading, setLoading] = useState(false);
  const local = localPrivacyLines(session);

  const load = async () => {
    setLoading(true);
    const report = await fetchServerPrivacyReport(
      { fetch: (...args) => fetch(...args), clock: systemClock },
      await loadSettings(),
      session.id,
    );
    setLoading(false);
    setServer(report.ok ? report.value : report.error.message);
  };

  return (
    <details class="privacy-report" open={open}>
      <summary>Privacy report</summary>
      <p class="hint">{policyLabel(session)}</p>
      <Lines lines={local} empty="Nothing was masked." />
      {typeof server === 'string' && <p class="hint">Server report: {server}</p>}
      {server && typeof server !== 'string' && (
        <>
          <p class="hint">
            Server: {server.server.total} masked on arrival in {server.server.events} events
          </p>
          <Lines lines={server.server.counts} empty="The server had nothing left to mask." />
        </>
      )}
      <button class="quiet" disabled={loading} onClick={() => void load()}>
        {loading ? 'Asking the server…' : 'Server report'}
      </button>
    </details>
  );
}
