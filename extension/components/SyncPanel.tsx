import { PublishedSyncStatusSchema, validate, type PublishedSyncStatus } from '@codesight/schema';
import { formatBytes } from './format';
import { sendCommand } from './send-command';

/** Parses the published status; anything unreadable counts as "not configured". */
export function parseSyncStatus(raw: unknown): PublishedSyncStatus | null {
  const parsed = validate(PublishedSyncStatusSchema, raw);
  return parsed.ok ? parsed.value : null;
}

const LABELS: Record<PublishedSyncStatus['connection'], string> = {
  live: 'live (WebSocket)',
  'fallback-http': 'fallback (HTTP)',
  connecting: 'connecting…',
  offline: 'offline',
};

/** Connection state, backlog, last sync, last error, and sessions held back by a refusal. */
export function SyncPanel({
  status,
  onNotice,
}: {
  status: PublishedSyncStatus | null;
  onNotice: (text: string, kind: 'ok' | 'error') => void;
}) {
  if (!status?.configured) {
    return (
      <section class="card sync" aria-labelledby="sync-title">
        <h2 id="sync-title">Sync</h2>
        <p class="hint" id="sync-state">
          {status?.configError ??
            'Not configured: recordings stay on this computer. Add a server URL and API key in Settings.'}
        </p>
      </section>
    );
  }
  const retry = async (sessionId: string) => {
    const reply = await sendCommand({ type: 'sync/retry', sessionId });
    if (reply.ok) onNotice(`Retrying ${sessionId}`, 'ok');
    else onNotice(reply.error.message, 'error');
  };
  const endpoint = status.connection === 'fallback-http' ? status.endpoints?.httpBase : status.endpoints?.wsUrl;
  const errorIsCurrent = status.lastError && (!status.lastSyncAt || status.lastError.at > status.lastSyncAt);
  return (
    <section class="card sync" aria-labelledby="sync-title">
      <div class="row spread">
        <h2 id="sync-title">Sync</h2>
        <span id="sync-state" class={`badge conn-${status.connection}`}>
          {LABELS[status.connection]}
        </span>
      </div>
      {status.configError && <p class="error">{status.configError}</p>}
      {endpoint && (
        <p class="meta" title="Endpoint in use">
          <code>{endpoint}</code>
        </p>
      )}
      <p class="meta">
        <span id="sync-pending">{status.pendingEvents}</span> events waiting
        {status.pendingEvents > 0 && <> (~{formatBytes(status.pendingBytes)})</>}
        {' · '}last sync {status.lastSyncAt ? new Date(status.lastSyncAt).toLocaleTimeString() : 'never'}
      </p>
      {status.media && (status.media.pendingItems > 0 || status.media.lastUploadAt) && (
        <p class="meta" id="sync-media">
          {status.media.pendingItems} media files waiting
          {status.media.pendingItems > 0 && (
            <>
              {' '}
              (~{formatBytes(status.media.pendingBytes)}
              {status.media.waitingForAck > 0 && `, ${status.media.waitingForAck} until their events are synced`})
            </>
          )}
          {status.media.lastUploadAt && <> · last upload {new Date(status.media.lastUploadAt).toLocaleTimeString()}</>}
        </p>
      )}
      {status.media?.quarantined.map((q) => (
        <p class="error" key={`${q.kind}-${q.id}`}>
          {q.kind} {q.id} of <code>{q.sessionId}</code> refused ({q.code}): {q.reason}
        </p>
      ))}
      {status.lastError && (
        <p class={errorIsCurrent ? 'error' : 'meta'} id="sync-error">
          {errorIsCurrent ? 'Last error' : 'Earlier error'} ({new Date(status.lastError.at).toLocaleTimeString()}):{' '}
          {status.lastError.message}
        </p>
      )}
      {status.quarantined.length > 0 && (
        <ul class="quarantine" aria-label="Sessions held back">
          {status.quarantined.map((q) => (
            <li key={q.sessionId}>
              <p class="error">
                <code>{q.sessionId}</code>: events {q.firstSequence}–{q.lastSequence} refused ({q.code}): {q.reason}.{' '}
                {q.blockedEvents} events wait.
              </p>
              <button onClick={() => void retry(q.sessionId)}>Try again</button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
