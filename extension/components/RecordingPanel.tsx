import { useEffect, useState } from 'preact/hooks';
import { generateSessionId, SessionIdSchema, validate, type RecordedEvent, type Session } from '@codesight/schema';
import { describeEvent, formatDuration } from './format';
import { sendCommand } from './send-command';

/** Session id, Start/Stop, live counts, pages visited and the recent-activity log. */
export function RecordingPanel({
  active,
  recent,
  onNotice,
}: {
  active: Session | undefined;
  recent: RecordedEvent[];
  onNotice: (text: string, kind: 'ok' | 'error') => void;
}) {
  const [sessionId, setSessionId] = useState(() => generateSessionId());
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(Date.now());
  const idCheck = validate(SessionIdSchema, sessionId.trim());

  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);

  const start = async () => {
    if (!idCheck.ok) return;
    setBusy(true);
    const reply = await sendCommand({ type: 'session/start', sessionId: sessionId.trim() });
    setBusy(false);
    if (reply.ok) onNotice(`Recording ${reply.value.sessionId}`, 'ok');
    else onNotice(reply.error.message, 'error');
  };
  const stop = async () => {
    setBusy(true);
    const reply = await sendCommand({ type: 'session/stop' });
    setBusy(false);
    if (reply.ok) {
      const { sessionId: stopped, detail } = reply.value;
      onNotice(`Stopped ${stopped}${detail ? `: ${detail}` : ''}`, 'ok');
      setSessionId(generateSessionId());
    } else onNotice(reply.error.message, 'error');
  };

  if (!active) {
    return (
      <section class="card" aria-labelledby="rec-title">
        <h2 id="rec-title">New session</h2>
        <label for="session-id">Session id</label>
        <div class="row">
          <input
            id="session-id"
            value={sessionId}
            maxLength={64}
            aria-invalid={!idCheck.ok}
            aria-describedby="session-id-help"
            onInput={(e) => setSessionId(e.currentTarget.value)}
          />
          <button id="start" class="primary" disabled={busy || !idCheck.ok} onClick={() => void start()}>
            Start
          </button>
        </div>
        <p id="session-id-help" class={idCheck.ok ? 'hint' : 'error'}>
          {idCheck.ok ? 'Letters, digits, _ and -, up to 64.' : idCheck.error.message.replace(/^[^:]*: /, '')}
        </p>
      </section>
    );
  }

  const counts = Object.entries(active.eventCounts).filter((entry): entry is [string, number] => !!entry[1]);
  return (
    <section class="card recording" aria-labelledby="rec-title">
      <div class="row spread">
        <h2 id="rec-title">
          <span class="dot" aria-hidden="true" />
          Recording <code id="active-session-id">{active.id}</code>
        </h2>
        <button id="stop" class="danger" disabled={busy} onClick={() => void stop()}>
          Stop
        </button>
      </div>
      <p class="meta">
        <span id="elapsed">{formatDuration(now - active.startTime)}</span> ·{' '}
        <span id="event-count">{active.eventCount}</span> events · {active.pagesVisited.length} site
        {active.pagesVisited.length === 1 ? '' : 's'} ·{' '}
        <span id="privacy-mode" title="The privacy policy this session records under">
          {active.maskingPolicy.mode ?? 'standard'} privacy
        </span>
      </p>
      {counts.length > 0 && (
        <ul class="counts" aria-label="Events by type">
          {counts.map(([type, n]) => (
            <li key={type} data-type={type}>
              <span>{type}</span>
              <b>{n}</b>
            </li>
          ))}
        </ul>
      )}
      {active.pagesVisited.length > 0 && (
        <p class="pages" title="Pages visited">
          {active.pagesVisited.join(' · ')}
        </p>
      )}
      <h3>Recent activity</h3>
      <ol class="log" aria-live="polite" id="activity-log">
        {recent.length === 0 && <li class="hint">Interact with a page: events appear here.</li>}
        {recent.map((e) => (
          <li key={e.sequence}>
            <time>{new Date(e.timestamp).toLocaleTimeString()}</time> <b>{e.type}</b> {describeEvent(e)}
          </li>
        ))}
      </ol>
    </section>
  );
}
