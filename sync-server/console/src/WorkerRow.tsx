import type { Worker } from './api-types';
import { timeText } from './format';
import { linkProps } from './router';

interface Props {
  worker: Worker;
  sessions: number;
  onIssueKey: () => void;
  onRevoke: (keyId: string) => void;
  onSetDisabled: (disabled: boolean) => void;
}

/** One worker: its keys (revocable while active) and the worker-wide actions. */
export function WorkerRow({ worker, sessions, onIssueKey, onRevoke, onSetDisabled }: Props) {
  const disabled = worker.disabledAt !== null;
  return (
    <tr data-worker={worker.name}>
      <td>
        {worker.name}
        <div class="id">{worker.id}</div>
      </td>
      <td>{timeText(worker.createdAt)}</td>
      <td>{disabled ? <span class="tone-bad">disabled</span> : <span class="tone-ok">active</span>}</td>
      <td class="num">
        <a {...linkProps(`/sessions?workerId=${encodeURIComponent(worker.id)}`)}>{sessions}</a>
      </td>
      <td>
        <ul class="keys">
          {worker.keys.map((k) => (
            <li key={k.id}>
              <code>{k.prefix}…</code>{' '}
              {k.revokedAt ? (
                <span class="muted">revoked {timeText(k.revokedAt)}</span>
              ) : (
                <>
                  <span class="muted">last used {k.lastUsedAt ? timeText(k.lastUsedAt) : 'never'}</span>{' '}
                  <button type="button" onClick={() => onRevoke(k.id)}>
                    Revoke
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      </td>
      <td class="actions">
        <button type="button" onClick={onIssueKey}>
          Issue key
        </button>
        <button type="button" onClick={() => onSetDisabled(!disabled)}>
          {disabled ? 'Enable' : 'Disable'}
        </button>
      </td>
    </tr>
  );
}
