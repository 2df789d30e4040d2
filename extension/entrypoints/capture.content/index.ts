import { defineContentScript } from 'wxt/utils/define-content-script';
import {
  clientIdCounter,
  STANDARD_PRIVACY_POLICY,
  systemClock,
  type RecordingState,
  type SensitiveBoxesReply,
} from '@codesight/schema';
import { applyPrivacyPolicy, startPageCapture } from '../../capture';
import { startBoxRelay } from '../../capture/box-relay';
import { createOutbox } from '../../content-outbox/outbox';
import { createPortSender } from '../../content-outbox/port-sender';
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
      send: createPortSender((name) => chrome.runtime.connect({ name })),
      park: parkEnvelopes,
      clock: systemClock,
      onError: (message) => console.debug('[codesight]', message),
    });
    // This frame's events are numbered under one random source (see clientIdCounter).
    const nextClientId = clientIdCounter(crypto.randomUUID());

    let capture: { sessionId: string; stop(): void; flush(): void } | null = null;
    // While a session records, every frame reports what screenshots must paint over (see box-relay).
    let relay: ReturnType<typeof startBoxRelay> | null = null;
    let firstStart = true;

    const apply = (state: RecordingState) => {
      if (capture && capture.sessionId !== state?.sessionId) {
        capture.flush();
        capture.stop();
        // Recording ended: what the outbox holds for its batch window goes now, before Stop closes the session.
        void outbox.flush();
        capture = null;
        relay?.stop();
        relay = null;
      }
      if (!state || capture) return;
      // Before anything is captured or boxed for a screenshot: the session's policy, standard without one.
      applyPrivacyPolicy(state.privacy ?? STANDARD_PRIVACY_POLICY);
      relay = startBoxRelay(window);
      const { sessionId } = state;
      const page = startPageCapture({
        settings: state.throttle,
        // The page load is an event only when the page was opened during recording, not when the worker
        // pressed Start on a page that was already open.
        emitLoad: firstStart && performance.timeOrigin >= state.startTime,
        emit: (event) => outbox.push({ clientId: nextClientId(), sessionId, event }),
      });
      capture = { sessionId, stop: page.stop, flush: page.flush };
    };

    void readRecordingState().then((state) => {
      apply(state);
      firstStart = false;
    });
    onRecordingStateChange(apply);

    // The background asks the top frame before and after each screenshot (chrome.tabs.sendMessage, frame 0).
    if (window === window.top) {
      chrome.runtime.onMessage.addListener((message: unknown, _sender, sendResponse) => {
        if ((message as { type?: unknown } | null)?.type !== 'capture/sensitive-boxes' || !relay) return false;
        void relay.collect().then((boxes) =>
          sendResponse({
            boxes,
            viewport: { width: window.innerWidth, height: window.innerHeight },
            devicePixelRatio: window.devicePixelRatio,
            visible: document.visibilityState === 'visible',
          } satisfies SensitiveBoxesReply),
        );
        return true;
      });
    }

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
