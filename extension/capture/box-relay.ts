import type { Rect } from '@codesight/schema';
import { boxesInParent, clipToViewport, collectSensitiveBoxes } from './sensitive-boxes';

/** Marks the relay's question among a page's own messages. */
const ASK = 'codesight:sensitive-boxes?';
/** Boxes one frame may report (its own and its children's): bounds a hostile frame's answer. */
const MAX_BOXES = 2_000;

/**
 * How long a frame waits for each child frame's boxes. A child that does not answer in time (no
 * content script there, a frame still loading) is painted over whole: its content is unknown.
 */
export const CHILD_FRAME_TIMEOUT_MS = 200;

/**
 * The sensitive boxes of a frame and of every frame inside it, in this frame's viewport. Frames ask
 * each other with postMessage (it crosses origins, unlike the DOM): a parent asks each visible iframe,
 * shifts the child's boxes by where the iframe's content box sits, and clips them to it. The answer
 * comes back on a MessageChannel port sent with the question, so the pages' own scripts never see
 * where a frame's private fields are. Started in every frame while a session records; the top frame
 * answers the background.
 */
export function startBoxRelay(win: Window): { collect(): Promise<Rect[]>; stop(): void } {
  const collect = async (): Promise<Rect[]> => {
    const doc = win.document;
    const boxes = collectSensitiveBoxes(doc);
    const viewport = { width: win.innerWidth, height: win.innerHeight };
    const children = visibleFrames(doc, viewport).map(async ({ frame, box }) => {
      const child = frame.contentWindow;
      const answer = child ? await ask(child) : undefined;
      // No answer: whatever the frame shows may be sensitive.
      return answer ? boxesInParent(answer, box) : [box];
    });
    for (const childBoxes of await Promise.all(children)) boxes.push(...childBoxes);
    return boxes.slice(0, MAX_BOXES);
  };

  const ask = (child: Window): Promise<Rect[] | undefined> =>
    new Promise((resolve) => {
      const channel = new MessageChannel();
      const done = (boxes: Rect[] | undefined) => {
        clearTimeout(timer);
        channel.port1.close();
        resolve(boxes);
      };
      const timer = setTimeout(() => done(undefined), CHILD_FRAME_TIMEOUT_MS);
      channel.port1.onmessage = (event: MessageEvent) => done(parseBoxes(event.data));
      child.postMessage(ASK, '*', [channel.port2]);
    });

  const onMessage = (event: MessageEvent) => {
    // Only the parent frame's question, and only with a port to answer on, is answered.
    if (event.data !== ASK || win.parent === win || event.source !== win.parent) return;
    const port = event.ports[0];
    if (!port) return;
    void collect().then((boxes) => {
      port.postMessage(boxes);
      port.close();
    });
  };
  win.addEventListener('message', onMessage);
  return { collect, stop: () => win.removeEventListener('message', onMessage) };
}
/** The iframes (open shadow roots included) that show something in the viewport, with their content boxes. */
function visibleFrames(doc: Document, viewport: { width: number; height: number }) {
  const out: { frame: HTMLIFrameElement | HTMLFrameElement; box: Rect }[] = [];
  const visit = (root: Document | ShadowRoot) => {
    for (const frame of root.querySelectorAll<HTMLIFrameElement | HTMLFrameElement>('iframe,frame')) {
      const box = clipToViewport(contentBox(frame), viewport);
      if (box) out.push({ frame, box });
    }
    for (const host of root.querySelectorAll('*')) if (host.shadowRoot) visit(host.shadowRoot);
  };
  visit(doc);
  return out;
}

/** Where a frame's own viewport sits: inside its border and padding. */
function contentBox(frame: Element): Rect {
  const rect = frame.getBoundingClientRect();
  const style = frame.ownerDocument.defaultView?.getComputedStyle(frame);
  const px = (v: string | undefined) => Number.parseFloat(v ?? '') || 0;
  const left = px(style?.borderLeftWidth) + px(style?.paddingLeft);
  const top = px(style?.borderTopWidth) + px(style?.paddingTop);
  const right = px(style?.borderRightWidth) + px(style?.paddingRight);
  const bottom = px(style?.borderBottomWidth) + px(style?.paddingBottom);
  return {
    x: rect.x + left,
    y: rect.y + top,
    width: Math.max(0, rect.width - left - right),
    height: Math.max(0, rect.height - top - bottom),
  };
}

/** A child's answer, kept only as far as it is a list of finite rectangles. */
function parseBoxes(raw: unknown): Rect[] {
  if (!Array.isArray(raw)) return [];
  const boxes: Rect[] = [];
  for (const item of raw.slice(0, MAX_BOXES)) {
    const { x, y, width, height } = (item ?? {}) as Partial<Rect>;
    if ([x, y, width, height].every((n) => typeof n === 'number' && Number.isFinite(n)))
      boxes.push({ x: x!, y: y!, width: width!, height: height! });
  }
  return boxes;
}
