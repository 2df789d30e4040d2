import { api } from './api';
import type { SessionPage, Worker } from './api-types';
import { durationText, timeText } from './format';
import { linkProps, navigate } from './router';
import { SessionFilters } from './SessionFilters';
import { filtersFrom, filtersQuery } from './session-filters';
import { statusLabel } from './session-status';
import { useLoad } from './use-load';

interface Props {
  query: URLSearchParams;
}

/** Page size of the session list. */
const PAGE = 50;

/** Sessions, newest first, filtered and paged by the URL's query (so back/forward and links work). */
export function SessionsPage({ query }: Props) {
  const filters = filtersFrom(query);
  const cursor = query.get('cursor');
  const apiQuery = filtersQuery(filters, cursor, true);
  const page = useLoad(
    () => api<SessionPage>(`/api/admin/console/sessions${apiQuery}${apiQuery ? '&' : '?'}limit=${PAGE}`),
    apiQuery,
  );
  const workers = useLoad(() => api<{ workers: Worker[] }>('/api/workers'), 'workers');
  const workerName = new Map((workers.data?.workers ?? []).map((w) => [w.id, w.name]));

  return (
    <section>
      <h1>Sessions</h1>
      <SessionFilters
        filters={filters}
        workers={workers.data?.workers ?? []}
        onApply={(next) => navigate(`/sessions${filtersQuery(next)}`)}
      />
      {page.error && <p class="error">{page.error}</p>}
      <table class="sessions">
        <thead>
          <tr>
            <th>Started</th>
            <th>Worker</th>
            <th>Status</th>
            <th>Events</th>
            <th>Duration</th>
            <th>Hosts</th>
            <th>Narration</th>
          </tr>
        </thead>
        <tbody>
          {(page.data?.sessions ?? []).map((s) => {
            const label = statusLabel(s);
            return (
              <tr key={s.sessionId} data-session={s.sessionId}>
                <td>
                  <a {...linkProps(`/sessions/${s.sessionId}`)}>{timeText(s.startTime)}</a>
                </td>
                <td>{workerName.get(s.workerId) ?? s.workerId}</td>
                <td class={`tone-${label.tone}`}>{label.text}</td>
                <td class="num">{s.totalEvents}</td>
                <td>{durationText(s.duration)}</td>
                <td>{s.pagesVisited.slice(0, 3).join(', ')}</td>
                <td>{s.hasNarration ? 'yes' : 'no'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {page.data && page.data.sessions.length === 0 && <p>No sessions match.</p>}
      <p class="pager">
        {cursor && <a {...linkProps(`/sessions${filtersQuery(filters)}`)}>First page</a>}{' '}
        {page.data?.nextCursor && (
          <a {...linkProps(`/sessions${filtersQuery(filters, page.data.nextCursor)}`)}>Next page</a>
        )}
      </p>
    </section>
  );
}
