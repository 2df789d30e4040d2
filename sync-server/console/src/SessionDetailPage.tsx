import { useMemo, useState } from 'preact/hooks';
import { api } from './api';
import { AnalysisPanel } from './AnalysisPanel';
import type { Screenshot, SessionAnalysis, SessionDetail } from './api-types';
import { analysesByScreenshot } from './analyses';
import { ExportsPanel } from './ExportsPanel';
import { durationText, timeText } from './format';
import { NarrationPlayer } from './NarrationPlayer';
import { QualityPanel } from './QualityPanel';
import { statusLabel } from './session-status';
import { actionOffsets, currentActionIndex, screenshotFor, seekTime } from './timeline';
import { TimelineItem } from './TimelineItem';
import { useLoad } from './use-load';

interface Props {
  sessionId: string;
}

/** Screenshots loaded with the timeline; a session with more shows the first ones and says so. */
const SCREENSHOT_PAGE = 200;

/** One session: summary, quality flags, pages, exports, and the timeline played along the narration. */
export function SessionDetailPage({ sessionId }: Props) {
  const detail = useLoad(() => api<SessionDetail>(`/api/admin/console/sessions/${sessionId}`), sessionId);
  const shots = useLoad(
    () =>
      api<{ screenshots: Screenshot[]; nextCursor: string | null }>(
        `/api/extension/sessions/${sessionId}/screenshots?limit=${SCREENSHOT_PAGE}`,
      ),
    sessionId,
  );
  const analysis = useLoad(
    () => api<SessionAnalysis>(`/api/admin/sessions/${encodeURIComponent(sessionId)}/analysis`),
    sessionId,
  );
  const byShot = useMemo(() => analysesByScreenshot(analysis.data?.analyses ?? []), [analysis.data]);
  const [playing, setPlaying] = useState(-1);
  const [seekTo, setSeekTo] = useState<{ seconds: number } | null>(null);
  const d = detail.data;
  const offsets = useMemo(() => (d?.narration ? actionOffsets(d.actions, d.narration.startTime) : []), [d]);

  if (!d) return detail.error ? <p class="error">{detail.error}</p> : <p class="loading">Loading…</p>;
  const s = d.session;
  const label = statusLabel(s);
  const screenshots = shots.data?.screenshots ?? [];

  return (
    <section class="detail">
      <h1>Session {s.sessionId}</h1>
      <p>
        {timeText(s.startTime)} · {durationText(s.duration)} · {s.totalEvents} events ·{' '}
        <span class={`tone-${label.tone}`} data-testid="status">
          {label.text}
        </span>
      </p>
      <QualityPanel quality={d.quality} />
      <h2>Pages visited</h2>
      <ul class="pages" data-testid="pages">
        {s.urls.map((url) => (
          <li key={url}>{url}</li>
        ))}
      </ul>
      <ExportsPanel sessionId={s.sessionId} />
      <AnalysisPanel sessionId={s.sessionId} analysis={analysis.data} reload={analysis.reload} />
      <h2>Narration</h2>
      {d.narration ? (
        <NarrationPlayer
          sessionId={s.sessionId}
          seekTo={seekTo}
          onTime={(seconds) => setPlaying(currentActionIndex(offsets, seconds))}
        />
      ) : (
        <p>No narration.</p>
      )}
      <h2>Timeline</h2>
      {d.actionsTruncated && <p class="note">Only the first actions of this long session are shown.</p>}
      {shots.data?.nextCursor && (
        <p class="note">Only the first {SCREENSHOT_PAGE} screenshots are matched to actions.</p>
      )}
      <ol class="timeline">
        {d.actions.map((action, i) => {
          const shot = screenshotFor(action, screenshots);
          return (
            <TimelineItem
              key={action.index}
              action={action}
              offset={d.narration ? offsets[i] : undefined}
              current={i === playing}
              screenshot={shot}
              analyses={shot && byShot.get(shot.id)}
              onSelect={
                d.narration && offsets[i] !== undefined
                  ? () => setSeekTo({ seconds: seekTime(offsets[i] ?? 0) })
                  : undefined
              }
            />
          );
        })}
      </ol>
    </section>
  );
}
