import { LIMITS, type CapturedEvent } from '@codesight/schema';
import type { CaptureContext, CaptureModule, EventBase } from './capture-context';
import { describeActionTarget } from './describe-target';
import { eventElement } from './dom';
import { editingHost, fieldKind, rawValue, selectText, selectValue } from './field-value';
import { maskInputValue, maskText } from './masking';
import { cleanText } from './text';
import { createSettleDebouncer } from './throttle';

/** Typing state of one field between keystrokes: the raw value stays in page memory, never in an event. */
interface PendingValue {
  raw: string;
  page: EventBase;
}

/** Value capture plus the hook the other modules call to push pending typing out before their own event. */
export interface ValueCapture extends CaptureModule {
  /** Emits pending typed values now (all of them, or all but the field the user is still in). */
  flushInputs(except?: Element): void;
}

/**
 * Form values: typing is recorded once it settles (`inputSettleMs`) or at once on blur/change, as an
 * `input` event; `change` reports commits (text fields) and toggles (checkboxes, radios, with `checked`);
 * <select> changes become `select` events with value and selected text; `submit` reports the form.
 * Every value passes through {@link maskInputValue} at emission.
 */
export function createValueCapture(ctx: CaptureContext): ValueCapture {
  const typing = createSettleDebouncer<Element, PendingValue>({
    settleMs: ctx.settings.inputSettleMs,
    clock: ctx.clock,
    emit: (el, pending) => sendValue('input', el, pending.raw, pending.page),
  });

  const sendValue = (type: 'input' | 'change', el: Element, raw: string, page: EventBase, checked?: boolean) => {
    const masked = maskInputValue(el, raw);
    ctx.send({
      type,
      ...page,
      // Emission time, so timestamps follow emission order even though the value settled earlier.
      timestamp: ctx.now(),
      ...describeActionTarget(el),
      ...(masked.value !== undefined ? { value: masked.value } : {}),
      ...(masked.mask ? { mask: masked.mask } : {}),
      ...(checked !== undefined ? { checked } : {}),
    });
  };

  const sendSelect = (el: HTMLSelectElement) => {
    const masked = maskInputValue(el, selectValue(el));
    const text =
      masked.mask && masked.value === undefined
        ? undefined
        : cleanText(maskText(selectText(el) ?? ''), LIMITS.targetText);
    const event: CapturedEvent = {
      type: 'select',
      ...ctx.base(),
      ...describeActionTarget(el),
      ...(masked.value !== undefined ? { value: masked.value } : {}),
      ...(masked.mask ? { mask: masked.mask } : {}),
      ...(text ? { selectedText: text } : {}),
    };
    ctx.send(event);
  };

  const onInput = (event: Event) => {
    const inner = eventElement(event);
    if (!inner) return;
    const el = editingHost(inner);
    const kind = fieldKind(el);
    // Checkboxes, radios, selects and files fire input and change together: change alone reports them.
    if (kind !== 'text' && kind !== 'editable') return;
    typing.push(el, { raw: rawValue(el), page: ctx.base() });
  };

  const onChange = (event: Event) => {
    const inner = eventElement(event);
    if (!inner) return;
    const el = editingHost(inner);
    const kind = fieldKind(el);
    if (!kind || kind === 'editable') return;
    ctx.checkUrl();
    if (kind === 'select') {
      sendSelect(el as HTMLSelectElement);
    } else if (kind === 'checkable') {
      const input = el as HTMLInputElement;
      sendValue('change', el, input.value ?? '', ctx.base(), !!input.checked);
    } else if (kind === 'file') {
      // File names ("passport-scan.pdf") say too much; only the fact of a change is kept.
      ctx.send({ type: 'change', ...ctx.base(), ...describeActionTarget(el) });
    } else {
      typing.flushKey(el);
      sendValue('change', el, rawValue(el), ctx.base());
    }
  };

  const onFocusOut = (event: Event) => {
    const inner = eventElement(event);
    if (inner) typing.flushKey(editingHost(inner));
  };

  const onSubmit = (event: Event) => {
    const form = eventElement(event);
    if (!form) return;
    ctx.checkUrl();
    typing.flush();
    ctx.send({ type: 'submit', ...ctx.base(), ...describeActionTarget(form) });
  };

  return {
    listeners: { input: onInput, change: onChange, focusout: onFocusOut, submit: onSubmit },
    // change and submit are not composed: inside a shadow root they never reach the window.
    shadowListeners: { change: onChange, submit: onSubmit },
    flushInputs(except) {
      for (const el of typing.pendingKeys()) if (el !== except) typing.flushKey(el);
    },
    flush: () => typing.flush(),
    cancel: () => typing.cancel(),
  };
}
