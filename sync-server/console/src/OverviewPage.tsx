import { api } from './api';
import type { JobState, Overview } from './api-types';
import { bytesText, timeText } from './format';
import { StoredChart } from './StoredChart';
import { useLoad } from './use-load';

/** How often the overview refreshes its live numbers. */
const REFRESH_MS = 5000;

/** Live numbers: connections, stored events per second, sessions today, storage, refusals, jobs. */
export function OverviewPage() {
  const overview = useLoad(() => api<Overview>('/api/admin/console/overview'), 'overview', REFRESH_MS);
  const jobs = useLoad(() => api<{ counts: Record<JobState, number> }>('/api/admin/jobs/counts'), 'jobs', REFRESH_MS);
  const o = overview.data;
  if (!o) return overview.error ? <p class="error">{overview.error}</p> : <p class="loading">Loading…</p>;
  const perSecond = o.ingest.storedPerSecond;
  const lastMinute = perSecond.reduce((a, b) => a + b, 0);
  const refusals = Object.entries(o.ingest.refusals).sort((a, b) => b[1] - a[1]);
  return (
    <section class="overview">
      <h1>Overview</h1>
      {overview.error && <p class="error">{overview.error}</p>}
      <div class="cards">
        <div class="card" data-testid="connections">
          <h2>Live connections</h2>
          <p class="big">{o.connections.open}</p>
          <p>{o.connections.authenticated} authenticated (this instance)</p>
        </div>
        <div class="card" data-testid="events-per-second">
          <h2>Events stored per second</h2>
          <p class="big">{(lastMinute / perSecond.length).toFixed(1)}</p>
          <p>average over the last minute ({lastMinute} events)</p>
          <StoredChart perSecond={perSecond} />
        </div>
        <div class="card" data-testid="sessions-today">
          <h2>Sessions today</h2>
          <p class="big">{o.sessionsToday}</p>
          <p>started since {timeText(o.todayStartsAt)}</p>
        </div>
        <div class="card" data-testid="storage">
          <h2>Storage</h2>
          <p class="big">{o.databaseBytes === null ? 'n/a' : bytesText(o.databaseBytes)}</p>
          <p>database on disk; media blob bytes are not totalled (that would scan every media row)</p>
        </div>
      </div>
      <div class="cards">
        <div class="card wide" data-testid="refusals">
          <h2>Ingest errors and refusals</h2>
          <p class="note">
            Counted in memory by this server instance since {timeText(o.ingest.since)} ({o.ingest.storedTotal} events
            stored since then); other instances count their own, and a restart starts from zero.
          </p>
          {refusals.length === 0 ? (
            <p>None.</p>
          ) : (
            <table>
              <tbody>
                {refusals.map(([code, count]) => (
                  <tr key={code}>
                    <td>{code}</td>
                    <td class="num">{count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div class="card wide" data-testid="jobs">
          <h2>Background jobs</h2>
          {jobs.data ? (
            <table>
              <tbody>
                {(['queued', 'running', 'succeeded', 'failed'] as const).map((state) => (
                  <tr key={state}>
                    <td>{state}</td>
                    <td class="num">{jobs.data?.counts[state] ?? 0}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>{jobs.error ?? 'Loading…'}</p>
          )}
        </div>
      </div>
    </section>
  );
}
