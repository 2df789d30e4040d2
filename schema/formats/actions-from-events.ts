import type { RecordedEvent } from '../entities/event';
import type { Target } from '../entities/target';
import { MAX_FOLDED_EVENTS, type Action } from './actions';

/**
 * A navigation or submit this soon after a click, Enter or submit is taken as its effect. Page loads on a
 * busy machine take a second or two between the click and the new page's first event; a person rarely
 * types a new address within 3 s of clicking something.
 */
export const CAUSE_WINDOW_MS = 3000;

/** Two clicks this close on one target, followed by a dblclick, are one double click (the OS default is 500 ms). */
const DOUBLE_CLICK_MS = 600;

/**
 * A click at (0, 0) this soon after Enter or Space is the browser's own: keyboard activation of a button,
 * or a form's implicit submission clicking its default button. Both come in the same task as the key.
 */
const KEY_ACTIVATION_MS = 250;

/** A checkbox's `change` this soon after a click on it is that click's effect, not a second action. */
const TOGGLE_MS = 1000;

/**
 * Actions kept open for folding by {@link ActionBuilder}: typing folds across the keys pressed in the field
 * (Enter, Tab) and a double click across its two clicks, so a few suffice; older actions are final.
 */
const OPEN_ACTIONS = 4;

type Of<T extends RecordedEvent['type']> = Extract<RecordedEvent, { type: T }>;

/**
 * Turns a session's events (in sequence order) into actions, one event at a time, so a long session is
 * never in memory at once: `add` each event, take the final actions with `drain`, end with `finish`.
 *
 * - `hover`, `tab`, `resize`, `visibility` are dropped (not actions on the page);
 * - `input` / `change` on one field in a row (keys pressed in that field in between allowed) become one
 *   `type` with the last value; masked values stay masked (`value` absent, `mask` set);
 * - repeated `select`s on one field, and scrolls of one element (or of the window) in a row, fold likewise;
 * - a checkbox's `change` right after the click on it sets that click's `checked`;
 * - click, click, dblclick on one target within 600 ms become one click with `clickCount: 2`;
 * - `contextmenu` is a click with `button: 2`; `keydown` (Enter, Escape, Tab, shortcuts) a `keypress`; the
 *   click the browser makes for Enter / Space (at 0, 0, right after the key) folds into that keypress;
 * - navigations of sub-frames are dropped (they follow their page's load); a navigation or submit within
 *   {@link CAUSE_WINDOW_MS} of a click, keypress or submit in the same tab gets `causedBy` (that action's root cause),
 *   except `popstate` (back / forward) and a page load known to have no referring page (see {@link mayBeEffect}).
 *   A heuristic: a back that only changes the hash is recorded as `hashchange` and, soon after a click,
 *   taken for that click's effect.
 */
export class ActionBuilder {
  private readonly open: Action[] = [];
  private readonly done: Action[] = [];
  private nextIndex = 0;
  /** The last action a later navigation or submit may be the effect of. */
  private lastCause: { index: number; root: number; time: number; tabId: number | undefined } | undefined;

  /** Folds one event in. Events must come in sequence order. */
  add(event: RecordedEvent): void {
    switch (event.type) {
      case 'click':
      case 'contextmenu':
        this.addClick(event);
        break;
      case 'dblclick':
        this.addDoubleClick(event);
        break;
      case 'input':
      case 'change':
        this.addValue(event);
        break;
      case 'select':
        this.addSelect(event);
        break;
      case 'submit':
        this.push(event, 'submit', { target: event.target, ...this.causeOf(event) }, true);
        break;
      case 'keydown':
        this.push(
          event,
          'keypress',
          { key: event.key, modifiers: event.modifiers, ...(event.target ? { target: event.target } : {}) },
          true,
        );
        break;
      case 'scroll':
        this.addScroll(event);
        break;
      case 'navigation':
        this.addNavigation(event);
        break;
      default:
        // hover, tab, resize, visibility: not actions on the page.
        break;
    }
  }

  /** Actions that can no longer change, in order; each is returned once. */
  drain(): Action[] {
    while (this.open.length > OPEN_ACTIONS) this.done.push(this.open.shift()!);
    return this.done.splice(0);
  }

  /** Every action not drained yet; call once after the last event. */
  finish(): Action[] {
    this.done.push(...this.open.splice(0));
    return this.done.splice(0);
  }

  private push(event: RecordedEvent, operation: Action['operation'], fields: Partial<Action>, cause = false): Action {
    const action: Action = {
      index: this.nextIndex++,
      operation,
      sequences: [event.sequence],
      startTime: event.timestamp,
      endTime: event.timestamp,
      url: event.url,
      ...(event.tabId !== undefined ? { tabId: event.tabId } : {}),
      ...(event.frameId !== undefined ? { frameId: event.frameId } : {}),
      ...fields,
    };
    this.open.push(action);
    if (cause) {
      const root = action.causedBy ?? action.index;
      this.lastCause = { index: action.index, root, time: event.timestamp, tabId: event.tabId };
    }
    return action;
  }

  /** Adds the event to an open action; false when the action is full (then the caller starts a new one). */
  private fold(action: Action, event: RecordedEvent): boolean {
    if (action.sequences.length >= MAX_FOLDED_EVENTS) return false;
    action.sequences.push(event.sequence);
    action.endTime = event.timestamp;
    return true;
  }

  private last(): Action | undefined {
    return this.open.at(-1);
  }

  private causeOf(event: RecordedEvent): Pick<Action, 'causedBy'> {
    const cause = this.lastCause;
    if (!cause || event.timestamp - cause.time > CAUSE_WINDOW_MS || event.timestamp < cause.time) return {};
    // A link opening another tab: its load is not a step the cause's page waits for.
    if (cause.tabId !== event.tabId) return {};
    return { causedBy: cause.root };
  }

  private addClick(event: Of<'click'> | Of<'contextmenu'>): void {
    const key = this.last();
    if (
      event.type === 'click' &&
      key?.operation === 'keypress' &&
      (key.key === 'Enter' || key.key === ' ') &&
      key.tabId === event.tabId &&
      event.coordinates.x === 0 &&
      event.coordinates.y === 0 &&
      event.timestamp - key.endTime <= KEY_ACTIVATION_MS &&
      this.fold(key, event)
    ) {
      // Replaying the key clicks again; a click of its own would act twice (or on a form already gone).
      return;
    }
    this.push(
      event,
      'click',
      {
        target: event.target,
        button: event.type === 'contextmenu' ? 2 : event.button,
        clickCount: 1,
        offset: { x: event.offsetX, y: event.offsetY },
        coordinates: event.coordinates,
        viewport: event.viewport,
        ...(event.modifiers.alt || event.modifiers.ctrl || event.modifiers.meta || event.modifiers.shift
          ? { modifiers: event.modifiers }
          : {}),
      },
      true,
    );
  }

  private addDoubleClick(event: Of<'dblclick'>): void {
    const second = this.open.at(-1);
    const first = this.open.at(-2);
    const isClickOnIt = (a: Action | undefined): a is Action =>
      a?.operation === 'click' &&
      a.clickCount === 1 &&
      sameTarget(a, event.target, event) &&
      event.timestamp - a.startTime <= DOUBLE_CLICK_MS;
    if (isClickOnIt(first) && isClickOnIt(second) && first.sequences.length + 2 <= MAX_FOLDED_EVENTS) {
      // The second click is the same gesture: fold it and the dblclick into the first.
      this.open.pop();
      this.nextIndex--;
      first.sequences.push(...second.sequences, event.sequence);
      first.endTime = event.timestamp;
      first.clickCount = 2;
      this.lastCause = { index: first.index, root: first.index, time: event.timestamp, tabId: event.tabId };
      return;
    }
    this.addClick({ ...event, type: 'click' });
    this.last()!.clickCount = 2;
  }

  private addValue(event: Of<'input'> | Of<'change'>): void {
    if (event.checked !== undefined) {
      const click = this.last();
      if (
        click?.operation === 'click' &&
        sameTarget(click, event.target, event) &&
        event.timestamp - click.endTime <= TOGGLE_MS &&
        this.fold(click, event)
      ) {
        click.checked = event.checked;
        return;
      }
      // A toggle without its click (keyboard space, label click recorded on the label): replay it as a click.
      this.push(event, 'click', { target: event.target, button: 0, clickCount: 1, checked: event.checked }, true);
      return;
    }
    const typing = this.openTyping(event);
    if (typing && this.fold(typing, event)) {
      setValue(typing, event);
      return;
    }
    this.push(event, 'type', { target: event.target });
    setValue(this.last()!, event);
  }

  /** The `type` action on this field that is still being typed: the last one, with only its keys after it. */
  private openTyping(event: Of<'input'> | Of<'change'>): Action | undefined {
    for (let i = this.open.length - 1; i >= 0; i--) {
      const action = this.open[i]!;
      if (action.operation === 'type') return sameTarget(action, event.target, event) ? action : undefined;
      const keyInField = action.operation === 'keypress' && action.target && sameTarget(action, event.target, event);
      if (!keyInField) return undefined;
    }
    return undefined;
  }

  private addSelect(event: Of<'select'>): void {
    const last = this.last();
    const action =
      last?.operation === 'select' && sameTarget(last, event.target, event) && this.fold(last, event)
        ? last
        : this.push(event, 'select', { target: event.target });
    setValue(action, event);
    if (event.selectedText !== undefined) action.selectedText = event.selectedText;
    else delete action.selectedText;
  }

  private addScroll(event: Of<'scroll'>): void {
    const last = this.last();
    const sameScroller =
      last?.operation === 'scroll' &&
      last.tabId === event.tabId &&
      last.frameId === event.frameId &&
      last.url === event.url &&
      (event.target ? last.target !== undefined && sameTarget(last, event.target, event) : last.target === undefined);
    if (sameScroller && this.fold(last, event)) {
      last.scroll = { x: event.scrollX, y: event.scrollY };
      last.viewport = event.viewport;
      return;
    }
    this.push(event, 'scroll', {
      ...(event.target ? { target: event.target } : {}),
      scroll: { x: event.scrollX, y: event.scrollY },
      viewport: event.viewport,
    });
  }

  private addNavigation(event: Of<'navigation'>): void {
    // A sub-frame's navigation follows its page's load (or is the page's own doing): not the worker's.
    if (event.frameId !== undefined && event.frameId !== 0) return;
    this.push(event, 'navigate', {
      navigationType: event.navigationType,
      ...(event.fromUrl !== undefined ? { fromUrl: event.fromUrl } : {}),
      ...(mayBeEffect(event) ? this.causeOf(event) : {}),
    });
  }
}

/**
 * Whether a navigation can be the effect of a page action at all. Back and forward come from the browser's
 * buttons, which record nothing. A page load whose referring page is known to be none (`fromUrl: ''`) was
 * typed, bookmarked or opened from outside: a link or script that loads a page leaves its referrer.
 * Recordings made before loads carried `fromUrl` (absent) fall back on the time window alone.
 */
function mayBeEffect(event: Of<'navigation'>): boolean {
  if (event.navigationType === 'popstate') return false;
  return !(event.navigationType === 'load' && event.fromUrl === '');
}

/** Whether `action` acted on the element `target` describes, in the same tab and frame. */
function sameTarget(action: Action, target: Target, event: RecordedEvent): boolean {
  const a = action.target;
  return (
    a !== undefined &&
    action.tabId === event.tabId &&
    action.frameId === event.frameId &&
    a.selectors.css === target.selectors.css &&
    a.framePath.join('\n') === target.framePath.join('\n') &&
    a.shadowPath.join('\n') === target.shadowPath.join('\n')
  );
}

/** Copies a value event's (masked) value onto the action: a later event replaces what an earlier one said. */
function setValue(action: Action, event: Of<'input'> | Of<'change'> | Of<'select'>): void {
  if (event.value !== undefined) action.value = event.value;
  else delete action.value;
  if (event.mask) action.mask = event.mask;
  else delete action.mask;
}

/** All actions of a session's events (in sequence order), in memory. */
export function buildActions(events: Iterable<RecordedEvent>): Action[] {
  const builder = new ActionBuilder();
  for (const event of events) builder.add(event);
  return builder.finish();
}

/** The same actions as {@link buildActions}, yielded as they become final: memory stays flat for long sessions. */
export async function* streamActions(
  events: AsyncIterable<RecordedEvent> | Iterable<RecordedEvent>,
): AsyncGenerator<Action, void, undefined> {
  const builder = new ActionBuilder();
  for await (const event of events) {
    builder.add(event);
    yield* builder.drain();
  }
  yield* builder.finish();
}
