import { useEffect, useRef, useState } from 'preact/hooks';

interface Props {
  sessionId: string;
  /** A new object each time the timeline asks to seek (so seeking to the same time twice works). */
  seekTo: { seconds: number } | null;
  onTime: (seconds: number) => void;
}

/**
 * The session's narration. Loaded whole into a blob URL: the server streams the track without range
 * support, and MediaRecorder WebM has no index, so only a local copy can be seeked reliably.
 */
export function NarrationPlayer({ sessionId, seekTo, onTime }: Props) {
  const audio = useRef<HTMLAudioElement>(null);
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let url: string | null = null;
    let current = true;
    fetch(`/api/extension/sessions/${sessionId}/audio`, { credentials: 'same-origin' })
      .then(async (res) => {
        if (!res.ok) throw new Error(`the narration could not be loaded (${res.status})`);
        const blob = await res.blob();
        if (!current) return;
        url = URL.createObjectURL(blob);
        setSrc(url);
      })
      .catch((err: unknown) => current && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      current = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [sessionId]);

  useEffect(() => {
    const el = audio.current;
    if (!el || !seekTo) return;
    el.currentTime = seekTo.seconds;
    onTime(seekTo.seconds);
    void el.play().catch(() => undefined);
  }, [seekTo]);

  if (error) return <p class="error">{error}</p>;
  return (
    <audio
      ref={audio}
      class="narration"
      controls
      preload="auto"
      src={src ?? undefined}
      onTimeUpdate={(e) => onTime(e.currentTarget.currentTime)}
      onSeeked={(e) => onTime(e.currentTarget.currentTime)}
    />
  );
}
