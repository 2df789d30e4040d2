import type { RecorderLike } from '../track-recorder';

/**
 * A MediaRecorder stand-in: the test decides when a chunk is handed over (`emit`) and what it holds;
 * `stop()` hands over a last chunk, if one is set, then fires `onstop` on a later task, as Chromium does.
 */
export class FakeMediaRecorder implements RecorderLike {
  state: RecorderLike['state'] = 'inactive';
  readonly mimeType = 'audio/webm;codecs=opus';
  timesliceMs: number | undefined;
  ondataavailable: ((event: { data: Blob }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onstop: (() => void) | null = null;
  /** Bytes handed over by `stop()`; none when undefined. */
  finalChunk: Uint8Array | undefined;

  start(timesliceMs: number): void {
    this.timesliceMs = timesliceMs;
    this.state = 'recording';
  }
  pause(): void {
    this.state = 'paused';
  }
  resume(): void {
    this.state = 'recording';
  }
  stop(): void {
    if (this.state === 'inactive') return;
    this.state = 'inactive';
    const last = this.finalChunk;
    setTimeout(() => {
      if (last) this.emit(last);
      this.onstop?.();
    }, 0);
  }
  /** Hands over one chunk. */
  emit(bytes: Uint8Array): void {
    this.ondataavailable?.({ data: new Blob([new Uint8Array(bytes)], { type: this.mimeType }) });
  }
  /** Fails as a recorder does when its track ends or the device is taken away. */
  fail(message: string): void {
    this.onerror?.({ error: { message } });
  }
}
