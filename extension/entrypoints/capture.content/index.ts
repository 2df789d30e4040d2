import { defineContentScript } from 'wxt/utils/define-content-script';
import {
  CaptureEventsReplySchema,
  systemClock,
  validate,
  type CaptureEventsMessage,
  type CaptureEventsReply,
  type RecordingState,
} from '@codesight/schema';
import { startPageCapture } from '../../capture';
import { createOutbox } from '../../content-outbox/outbox';
import { parkEnvelopes } from '../../content-outbox/parked-events';
import { onRecordingStateChange, readRecordingState } from '../../recording/recording-state';

/**
 * Runs in every frame of every page. It captures only while a session is recording (read from
 * chrome.storage, so a page learns it without waking the service worker) and hands each event to an
 * outbox that keeps it until the background confirms the durable write.
 */
export default defineContentScript({
  matches: ['<all_urls>'],
  allFrames: true,
  matchAboutBlank: true,
  runAt: 'document_start',
  main() {
    const outbox = createOutbox({
      send: async (envelopes): Promise<CaptureEventsReply> => {
        const message: CaptureEventsMessage = { type: 'capture/events', envelopes };
        const raw: unknown = await chrome.runtime.sendMessage(message);
        const reply = validate(CaptureEventsReplySchema, raw);
        if (!reply.ok) throw new Error(`unexpected reply from the recorder: ${reply.error.message}`);
        return reply.value;
      },
      park: parkEnvelopes,
      clock: systemClock,
      onError: (message) => console.debug('[codesight]', message),
    });

    let capture: { sessionId: string; stop(): void; flush(): void } | null = null;
    let firstStart = true;

    const apply = (state: RecordingState) => {
      if (capture && capture.sessionId !== state?.sessionId) {
        capture.flush();
        capture.stop();
        capture = null;
      }
      if (!state || capture) return;
      const { sessionId } = state;
      const page = startPageCapture({
        settings: state.throttle,
        // The page load is an event only when the page was opened during recording, not when the worker
        // pressed Start on a page that was already open.
        emitLoad: firstStart && performance.timeOrigin >= state.startTime,
        emit: (event) => outbox.push({ clientId: crypto.randomUUID(), sessionId, event }),
      });
      capture = { sessionId, stop: page.stop, flush: page.flush };
    };

    void readRecordingState().then((state) => {
      apply(state);
      firstStart = false;
    });
    onRecordingStateChange(apply);

    // The page is going away: emit what is pending, then park everything unconfirmed.
    addEventListener(
      'pagehide',
      () => {
        capture?.flush();
        void outbox.park();
      },
      { capture: true },
    );
  },
});
