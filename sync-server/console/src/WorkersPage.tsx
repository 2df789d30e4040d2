import { useState } from 'preact/hooks';
import { api, errorText } from './api';
import type { IssuedKey, Worker } from './api-types';
import { NewKeyNotice } from './NewKeyNotice';
import { useLoad } from './use-load';
import { WorkerRow } from './WorkerRow';

/** Workers with their keys and totals; create a worker, issue and revoke keys, disable and enable. */
export function WorkersPage() {
  const workers = useLoad(() => api<{ workers: Worker[] }>('/api/workers'), 'workers');
  const counts = useLoad(
    () => api<{ sessions: Record<string, number> }>('/api/admin/console/workers/session-counts'),
    'counts',
  );
  const [name, setName] = useState('');
  const [issued, setIssued] = useState<IssuedKey | null>(null);
  const [error, setError] = useState<string | null>(null);

  /** Runs a change, shows its failure, then reloads the list either way. */
  const act = (action: () => Promise<unknown>) => {
    setError(null);
    action().then(
      () => workers.reload(),
      (err: unknown) => {
        setError(errorText(err));
        workers.reload();
      },
    );
  };

  const create = (e: Event) => {
    e.preventDefault();
    act(async () => {
      const key = await api<IssuedKey>('/api/workers', { json: { name } });
      setIssued(key);
      setName('');
    });
  };

  const list = workers.data?.workers ?? [];
  const activeKeys = list.reduce((n, w) => n + w.keys.filter((k) => k.revokedAt === null).length, 0);
  const disabled = list.filter((w) => w.disabledAt !== null).length;
  const sessionsOf = counts.data?.sessions ?? {};
  const sessions = Object.values(sessionsOf).reduce((a, b) => a + b, 0);

  return (
    <section>
      <h1>Workers</h1>
      {issued && <NewKeyNotice issued={issued} onDismiss={() => setIssued(null)} />}
      <form class="inline" onSubmit={create}>
        <input
          name="worker-name"
          placeholder="New worker's name"
          required
          maxLength={200}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <button type="submit">Create worker</button>
      </form>
      {(error ?? workers.error) && <p class="error">{error ?? workers.error}</p>}
      <p class="totals" data-testid="worker-totals">
        {list.length} workers, {activeKeys} active keys, {disabled} disabled, {sessions} sessions
      </p>
      <table class="workers">
        <thead>
          <tr>
            <th>Name</th>
            <th>Created</th>
            <th>State</th>
            <th>Sessions</th>
            <th>Keys</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((w) => (
            <WorkerRow
              key={w.id}
              worker={w}
              sessions={sessionsOf[w.id] ?? 0}
              onIssueKey={() =>
                act(async () => setIssued(await api<IssuedKey>(`/api/workers/${w.id}/keys`, { method: 'POST' })))
              }
              onRevoke={(keyId) => act(() => api(`/api/keys/${encodeURIComponent(keyId)}/revoke`, { method: 'POST' }))}
              onSetDisabled={(off) =>
                act(() =>
                  api(`/api/workers/${encodeURIComponent(w.id)}/${off ? 'disable' : 'enable'}`, { method: 'POST' }),
                )
              }
            />
          ))}
        </tbody>
      </table>
    </section>
  );
}
