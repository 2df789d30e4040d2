import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from './api';
import type { Job, SessionAnalysis } from './api-types';

interface Props {
  sessionId: string;
  analysis: SessionAnalysis | undefined;
  /** Loads the analysis again (after a request, and while its job runs). */
  reload: () => void;
}

/** How often the analysis is read again while its job is queued or running. */
const POLL_MS = 1500;

const isLive = (job: Job | null | undefined) => job?.state === 'queued' || job?.state === 'running';

/**
 * The session's screenshot analysis: whether it is on, the job's state and progress while it runs (or
 * why it failed), and a button that runs it now. The answers themselves show beside each screenshot.
 */
export function AnalysisPanel({ sessionId, analysis, reload }: Props) {
  const [error, setError] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  const job = analysis?.job;
  const live = isLive(job);

  useEffect(() => {
    if (!live) return;
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  }, [live, reload]);

  if (!analysis) return null;
  const run = async () => {
    setError(null);
    setAsking(true);
    try {
      await api<{ job: Job }>(`/api/admin/sessions/${encodeURIComponent(sessionId)}/analysis`, { method: 'POST' });
      reload();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setAsking(false);
    }
  };

  return (
    <div class="analysis-panel" data-testid="analysis-panel">
      <h2>Screenshot analysis</h2>
      {analysis.enabled ? (
        <p>
          <button type="button" onClick={() => void run()} disabled={asking || live}>
            Analyse screenshots
          </button>{' '}
          with {analysis.model} · {analysis.analyses.length} analysed
          {analysis.more ? ' (more than shown)' : ''}
        </p>
      ) : (
        <p class="note">
          Off on this server (VISION_API_URL and VISION_API_KEY unset)
          {analysis.analyses.length > 0 ? `; ${analysis.analyses.length} earlier analyses are shown` : ''}.
        </p>
      )}
      {job && (
        <p data-testid="analysis-job" data-state={job.state}>
          analysis job {job.state}
          {live ? ` (${Math.round(job.progress * 100)} %)` : ''}
          {job.state === 'queued' && job.attempts > 0 ? `, retry ${job.attempts + 1} of ${job.maxAttempts}` : ''}
          {job.lastError && job.state !== 'succeeded' ? `: ${job.lastError}` : ''}
        </p>
      )}
      {error && <p class="error">{error}</p>}
    </div>
  );
}
