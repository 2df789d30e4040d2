import { useEffect, useState } from 'preact/hooks';
import type { DatasetExportPayload, DatasetExportResult } from '../../src/jobs/exports/dataset-export-job';
import { api, errorText } from './api';
import type { Job } from './api-types';
import {
  EXPORT_FORMAT_LABELS,
  exportQuery,
  exportRangeText,
  type ExportForm,
  type ExportFormat,
} from './dataset-export-form';
import { bytesText, timeText } from './format';
import { useLoad } from './use-load';

/** How often the list is read while an export is queued or running. */
const POLL_MS = 1000;

const live = (job: Job) => job.state === 'queued' || job.state === 'running';

/**
 * Dataset exports over a range of days (and a worker), written by a background job: the operator
 * starts one, watches its progress (sessions written) and downloads the JSONL file when it is done.
 * Per-session exports stay direct downloads on the session's page.
 */
export function DatasetExportsPage() {
  const [form, setForm] = useState<ExportForm>({ format: 'dataset-jsonl', from: '', to: '', worker: '' });
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [polling, setPolling] = useState(false);
  const list = useLoad(() => api<{ exports: Job[] }>('/api/admin/exports'), 'exports', polling ? POLL_MS : undefined);
  const exports = list.data?.exports ?? [];
  const anyLive = exports.some(live);
  // Polls while an export is live (and from a start until the list shows it), not forever.
  useEffect(() => {
    if (list.data) setPolling(anyLive);
  }, [list.data, anyLive]);

  const start = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setMessage(null);
    const query = exportQuery(form);
    if ('error' in query) return setError(query.error);
    try {
      const answer = await api<{ job: Job; created: boolean; totals: { sessions: number; events: number } }>(
        `/api/admin/exports${query.query ? `?${query.query}` : ''}`,
        { method: 'POST' },
      );
      const { sessions, events } = answer.totals;
      setMessage(
        `${answer.created ? 'Export started' : 'This range is already being exported'}: ${sessions} sessions, ${events} events`,
      );
      setPolling(true);
      list.reload();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const field = (name: 'from' | 'to' | 'worker') => ({
    value: form[name],
    // From the latest state, not this render's: changes arriving together (autofill) all count.
    onInput: (e: Event) => {
      const value = (e.currentTarget as HTMLInputElement).value;
      setForm((current) => ({ ...current, [name]: value }));
    },
  });

  return (
    <section class="dataset-exports">
      <h1>Dataset exports</h1>
      <form class="filters" onSubmit={(e) => void start(e)} data-testid="export-form">
        <label>
          Format{' '}
          <select
            name="format"
            value={form.format}
            onChange={(e) => {
              const format = e.currentTarget.value as ExportFormat;
              setForm((current) => ({ ...current, format }));
            }}
          >
            {Object.entries(EXPORT_FORMAT_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          First day (UTC) <input type="date" name="from" {...field('from')} />
        </label>
        <label>
          Last day (UTC) <input type="date" name="to" {...field('to')} />
        </label>
        <label>
          Worker id <input type="text" name="worker" placeholder="every worker" {...field('worker')} />
        </label>
        <button type="submit">Export</button>
      </form>
      {message && <p data-testid="export-message">{message}</p>}
      {error && <p class="error">{error}</p>}
      {list.error && <p class="error">{list.error}</p>}
      <table data-testid="exports">
        <thead>
          <tr>
            <th>Requested</th>
            <th>Format</th>
            <th>Range</th>
            <th>State</th>
            <th>File</th>
          </tr>
        </thead>
        <tbody>
          {exports.map((job) => (
            <ExportRow key={job.id} job={job} />
          ))}
          {list.data && exports.length === 0 && (
            <tr>
              <td colSpan={5}>No export yet.</td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

/** One export job: its range, its progress while it runs, its file once written. */
function ExportRow({ job }: { job: Job }) {
  const payload = job.payload as DatasetExportPayload;
  const result = job.state === 'succeeded' ? (job.result as DatasetExportResult) : undefined;
  return (
    <tr data-testid="export-row" data-state={job.state}>
      <td>{timeText(job.createdAt)}</td>
      <td>{payload.format}</td>
      <td>{exportRangeText(payload)}</td>
      <td>
        {live(job) ? (
          <>
            <progress max={1} value={job.progress} aria-label="export progress" /> {job.state}{' '}
            {Math.round(job.progress * 100)} %
          </>
        ) : (
          job.state
        )}
        {job.state === 'failed' && job.lastError ? `: ${job.lastError}` : ''}
      </td>
      <td>
        {result && (
          <a
            class="button"
            href={`/api/admin/exports/${job.id}/download`}
            download={`${payload.format}-${job.id}.jsonl`}
          >
            Download ({result.sessions} sessions, {result.lines} lines, {bytesText(result.bytes)})
          </a>
        )}
      </td>
    </tr>
  );
}
