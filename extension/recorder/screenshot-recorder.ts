import {
  fail,
  ok,
  type Clock,
  type Failure,
  type Rect,
  type Result,
  type Screenshot,
  type ScreenshotStatus,
  type SensitiveBoxesReply,
  type Settings,
} from '@codesight/schema';
import { CAPTURE_INTERVAL_MS, createCaptureQueue, type CaptureQueue, type FrameDropReason } from './capture-queue';
import { planBurst, type BurstFrame, type BurstTrigger } from './plan-burst';
import type { NewMedia, StoreMediaFailure } from './store-media';

/** How a frame is encoded (from the settings). */
export interface FrameOptions {
  format: Settings['screenshotFormat'];
  quality: number;
  /** 0: keep the captured width. */
  maxWidth: number;
}

/** A redacted, encoded frame, ready to store. */
export interface EncodedFrame {
  bytes: Uint8Array<ArrayBuffer>;
  mime: string;
  width: number;
  height: number;
}

/** What taking a screenshot needs from the browser; injected so the flow is testable without Chrome. */
export interface ScreenshotDeps {
  clock: Clock;
  newId(): string;
  /** The window a tab is in and whether it is that window's active tab; undefined when it is gone. */
  tabInfo(tabId: number): Promise<{ windowId: number; active: boolean } | undefined>;
  /** The tab's sensitive boxes (all frames), asked of its top frame; bounded in time. */
  boxes(tabId: number): Promise<Result<SensitiveBoxesReply>>;
  /** `chrome.tabs.captureVisibleTab` of the window: the image as the browser hands it over. */
  capture(windowId: number): Promise<Blob>;
  /** Scales, paints over `boxes` (CSS pixels of `viewport`) and encodes. */
  encode(
    image: Blob,
    boxes: readonly Rect[],
    viewport: SensitiveBoxesReply['viewport'],
    options: FrameOptions,
  ): Promise<EncodedFrame>;
  store(
    row: NewMedia<Screenshot>,
    bytes: Uint8Array<ArrayBuffer>,
    mime: string,
  ): Promise<Result<Screenshot, StoreMediaFailure>>;
  /** The popup's counters; called after every frame taken or dropped. */
  publish(status: NonNullable<ScreenshotStatus>): void;
}

interface Frame extends BurstFrame {
  sessionId: string;
  tabId: number;
}

export interface ScreenshotRecorder {
  /** Takes bursts for this session from now on, encoded with `options`. */
  begin(sessionId: string, options: FrameOptions): void;
  /** Stops taking frames (frames waiting are discarded) and resolves once a capture under way is stored. */
  end(): Promise<void>;
  /** Plans a burst of the tab; ignored when no session is being screenshotted. */
  burst(trigger: BurstTrigger, tabId: number, triggerSequence?: number): void;
  /** Resolves once no frame waits or is being taken. */
  idle(): Promise<void>;
  readonly sessionId: string | undefined;
}

/**
 * Bursts of screenshots around key actions, through one rate-limited queue. Each frame is taken only
 * while its tab is the visible active tab of its window, and only with the tab's sensitive boxes asked
 * just before and just after the capture: the frame is painted over with both sets (a field that moved
 * in between is covered where it was and where it is) and dropped when either cannot be had. Nothing
 * unredacted is ever stored.
 */
export function createScreenshotRecorder(deps: ScreenshotDeps): ScreenshotRecorder {
  /** When the last capture was asked of the browser: Chrome counts calls, not the queue's slots. */
  let lastCaptureAt = -Infinity;
  let current:
    | { sessionId: string; options: FrameOptions; queue: CaptureQueue<Frame>; taken: number; message?: string }
    | undefined;

  const publish = () => {
    if (!current) return;
    deps.publish({
      sessionId: current.sessionId,
      taken: current.taken,
      dropped: { ...current.queue.drops },
      ...(current.message ? { message: current.message } : {}),
    });
  };

  const take = async (frame: Frame): Promise<Result<void, Failure<FrameDropReason>>> => {
    const session = current;
    if (session?.sessionId !== frame.sessionId) return fail('late', 'the session ended before this frame');
    const { options } = session;
    const before = await visibleBoxes(frame.tabId);
    if (!before.ok) return before;
    // The queue spaces the starts of frames, but asking for the boxes takes a variable time (a child
    // frame may take up to its timeout): space the captures themselves too.
    const wait = lastCaptureAt + CAPTURE_INTERVAL_MS - deps.clock.now();
    if (wait > 0) await new Promise<void>((resolve) => deps.clock.setTimeout(resolve, wait));
    const at = deps.clock.now();
    lastCaptureAt = at;
    let image: Blob;
    try {
      image = await deps.capture(before.value.windowId);
    } catch (error) {
      return fail('capture_failed', error instanceof Error ? error.message : String(error));
    }
    // The worker may have switched tabs during the capture: then the image is not of this tab.
    const after = await visibleBoxes(frame.tabId);
    if (!after.ok) return after;
    const { viewport, devicePixelRatio } = before.value.reply;
    let encoded: EncodedFrame;
    try {
      encoded = await deps.encode(image, [...before.value.reply.boxes, ...after.value.reply.boxes], viewport, options);
    } catch (error) {
      return fail('capture_failed', `encoding failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const stored = await deps.store(
      {
        id: deps.newId(),
        sessionId: frame.sessionId,
        burstId: frame.burstId,
        burstIndex: frame.burstIndex,
        burstTotal: frame.burstTotal,
        trigger: frame.trigger,
        ...(frame.triggerSequence === undefined ? {} : { triggerSequence: frame.triggerSequence }),
        timestamp: at,
        width: encoded.width,
        height: encoded.height,
        compressionRatio: round2((encoded.width * encoded.height * 4) / Math.max(1, encoded.bytes.byteLength)),
        viewportWidth: Math.round(viewport.width),
        viewportHeight: Math.round(viewport.height),
        devicePixelRatio,
      },
      encoded.bytes,
      encoded.mime,
    );
    if (!stored.ok) return fail('capture_failed', `not stored: ${stored.error.message}`);
    session.taken += 1;
    delete session.message;
    publish();
    return ok();
  };

  /** The tab's boxes, when it is the visible active tab of its window; else why the frame is dropped. */
  const visibleBoxes = async (
    tabId: number,
  ): Promise<Result<{ windowId: number; reply: SensitiveBoxesReply }, Failure<FrameDropReason>>> => {
    const tab = await deps.tabInfo(tabId);
    if (!tab?.active) return fail('tab_hidden', `tab ${tabId} is not the active tab of its window`);
    const boxes = await deps.boxes(tabId);
    if (!boxes.ok) return fail('redaction_unavailable', boxes.error.message);
    if (!boxes.value.visible) return fail('tab_hidden', `tab ${tabId} is not visible`);
    return ok({ windowId: tab.windowId, reply: boxes.value });
  };

  return {
    begin(sessionId, options) {
      if (current?.sessionId === sessionId) {
        current.options = options;
        return;
      }
      current?.queue.stop();
      const queue = createCaptureQueue<Frame>({
        clock: deps.clock,
        take,
        onDrop: (_frame, reason, message) => {
          // A failure the worker may be able to act on is shown; missed slots and hidden tabs are just counted.
          if (reason === 'capture_failed' || reason === 'redaction_unavailable') {
            const session = current;
            if (session) session.message = `a screenshot was dropped: ${message}`;
          }
          publish();
        },
      });
      current = { sessionId, options, queue, taken: 0 };
      publish();
    },
    async end() {
      const ending = current;
      current = undefined;
      if (!ending) return;
      ending.queue.stop();
      await ending.queue.idle();
    },
    burst(trigger, tabId, triggerSequence) {
      if (!current) return;
      const session = current;
      for (const frame of planBurst(deps.newId(), trigger, deps.clock.now(), triggerSequence)) {
        session.queue.push({ ...frame, sessionId: session.sessionId, tabId });
      }
    },
    idle: () => current?.queue.idle() ?? Promise.resolve(),
    get sessionId() {
      return current?.sessionId;
    },
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
