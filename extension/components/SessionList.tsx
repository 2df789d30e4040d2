import { useState } from 'preact/hooks';
import type { Session } from '@codesight/schema';
import { PrivacyReport } from './PrivacyReport';
import { sendCommand } from './send-command';

/** Past sessions with their downloads and deletion (confirmed, since it cannot be undone). */
export function SessionList({
  sessions,
  onNotice,
}: {
  sessions: Session[];
  onNotice: (text: string, kind: 'ok' | 'error') => void;
}) {
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const past = sessions.filter((s) => s.status === 'stopped');
  // The session just stopped shows its privacy report at once; older ones on request.
  const newest = past.reduce<Session | undefined>((a, s) => (!a || s.startTime > a.startTime ? s : a), undefined);

  const run = async (id: string, label: string, command: Parameters<typeof sendCommand>[0]) => {
    setBusy(id);
    const reply = await sendCommand(command);
    setBusy(null);
    if (reply.ok) onNotice(`${label}${reply.value.detail ? `: ${reply.value.detail}` : ''}`, 'ok');
    else onNotice(reply.error.message, 'error');
  };

  return (
    <section class="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      {past.length === 0 && <p class="hint">No finished sessions yet.</p>}
      <ul class="sessions">
        {past.map((s) => (
          <li key={s.id} data-session-id={s.id}>
            <div class="row spread">
              <code>{s.id}</code>
              <span class="meta">
                {new Date(s.startTime).toLocaleString()} · {s.eventCount} events
              </span>
            </div>
            {s.prunedAt && <p class="hint">Synced and removed from this computer: the server holds it.</p>}
            <PrivacyReport session={s} open={s.id === newest?.id} />
            <div class="row actions">
              <button
                disabled={busy === s.id || !!s.prunedAt}
                onClick={() =>
                  void run(s.id, 'JSON downloaded', { type: 'session/download', sessionId: s.id, format: 'json' })
                }
              >
                Download JSON
              </button>
              <button
                disabled={busy === s.id || !!s.prunedAt}
                onClick={() =>
                  void run(s.id, 'ZIP downloaded', { type: 'session/download', sessionId: s.id, format: 'zip' })
                }
              >
                Download ZIP
              </button>
              {confirming === s.id ? (
                <>
                  <button
                    class="danger"
                    onClick={() => {
                      setConfirming(null);
                      void run(s.id, `Deleted ${s.id}`, { type: 'session/delete', sessionId: s.id });
                    }}
                  >
                    Really delete
                  </button>
                  <button onClick={() => setConfirming(null)}>Keep</button>
                </>
              ) : (
                <button class="quiet" aria-label={`Delete ${s.id}`} onClick={() => setConfirming(s.id)}>
                  Delete
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
