import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from './api';
import type { Job } from './api-types';

interface Props {
  sessionId: string;
}

/** How often a running archive job is polled. */
const POLL_MS = 1000;

/** Builds the session's ZIP archive as a job, shows its progress, and links the download when done. */
export function ArchiveExport({ sessionId }: Props) {
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = encodeURIComponent(sessionId);

  const start = async () => {
    setError(null);
    try {
      const answer = await api<{ job: Job }>(`/api/admin/sessions/${id}/archive`, { method: 'POST' });
      setJob(answer.job);
    } catch (err) {
      setError(errorText(err));
    }
  };

  const jobId = job?.id;
  const done = job?.state === 'succeeded' || job?.state === 'failed';
  useEffect(() => {
    if (!jobId || done) return;
    const timer = setInterval(() => {
      api<{ job: Job }>(`/api/admin/jobs/${jobId}`).then(
        (answer) => setJob(answer.job),
        (err: unknown) => setError(errorText(err)),
      );
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [jobId, done]);

  return (
    <div class="archive" data-testid="archive">
      <button type="button" onClick={() => void start()} disabled={job !== null && !done}>
        Build archive (ZIP)
      </button>{' '}
      {job && (
        <span data-state={job.state}>
          archive job {job.state}
          {job.state === 'running' || job.state === 'queued' ? ` (${Math.round(job.progress * 100)} %)` : ''}
          {job.state === 'failed' && job.lastError ? `: ${job.lastError}` : ''}
        </span>
      )}{' '}
      {job?.state === 'succeeded' && (
        <a class="button" href={`/api/admin/sessions/${id}/archive`} download={`${sessionId}.zip`}>
          Download archive
        </a>
      )}
      {error && <p class="error">{error}</p>}
    </div>
  );
}
