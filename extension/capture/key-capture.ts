import type { CaptureContext, CaptureModule } from './capture-context';
import { describeTarget } from './describe-target';
import { eventElement } from './dom';
import { modifiersOf } from './event-parts';
import { editingHost } from './field-value';
import { isSensitiveField } from './masking';
import { truncate } from './text';

// Keys that navigate or commit, recorded wherever they are pressed (even in a password field: they say
// nothing about its content).
const NAVIGATION_KEYS = new Set(['Enter', 'Escape', 'Tab']);

// Pressing a modifier alone is not a shortcut.
const MODIFIER_KEYS = new Set([
  'Control',
  'Shift',
  'Alt',
  'AltGraph',
  'Meta',
  'OS',
  'Fn',
  'FnLock',
  'Hyper',
  'Super',
  'CapsLock',
  'NumLock',
  'ScrollLock',
]);

// `key` and `code` are capped by the schema at 32 characters.
const MAX_KEY_LENGTH = 32;

/**
 * Which keydowns are recorded: Enter, Escape and Tab always; other keys only as shortcuts (with Ctrl or
 * Meta, or Alt with a non-character key) and never inside a sensitive field. A character typed with AltGr
 * (reported as Ctrl+Alt on Windows) or with Alt alone (Option on macOS composes "@", "€"...) is text,
 * not a shortcut, and is never recorded.
 */
function isRecordableKey(event: KeyboardEvent, inSensitiveField: boolean): boolean {
  if (event.isComposing || event.key === 'Process' || event.key === 'Dead') return false;
  if (NAVIGATION_KEYS.has(event.key)) return true;
  if (inSensitiveField || MODIFIER_KEYS.has(event.key)) return false;
  const printable = Array.from(event.key).length === 1;
  const altGraph = typeof event.getModifierState === 'function' && event.getModifierState('AltGraph');
  if (printable && (altGraph || event.altKey)) return false;
  return event.ctrlKey || event.metaKey || event.altKey;
}

/** Keydown capture under {@link isRecordableKey}; Enter first pushes out pending typing (it usually submits it). */
export function createKeyCapture(ctx: CaptureContext, flushInputs: () => void): CaptureModule {
  const onKeyDown = (event: Event) => {
    const key = event as KeyboardEvent;
    if (typeof key.key !== 'string') return;
    const inner = eventElement(key);
    const field = inner ? editingHost(inner) : null;
    if (!isRecordableKey(key, field ? isSensitiveField(field) : false)) return;
    ctx.checkUrl();
    if (key.key === 'Enter') flushInputs();
    const focused = field && field !== ctx.doc.body && field !== ctx.doc.documentElement ? field : undefined;
    ctx.send({
      type: 'keydown',
      ...ctx.base(),
      key: truncate(key.key, MAX_KEY_LENGTH),
      code: truncate(key.code ?? '', MAX_KEY_LENGTH),
      modifiers: modifiersOf(key),
      ...(focused ? { target: describeTarget(focused) } : {}),
    });
  };
  return { listeners: { keydown: onKeyDown } };
}
