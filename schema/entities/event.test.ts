import { describe, expect, it } from 'vitest';
import { CapturedEventSchema, EVENT_TYPES, RecordedEventSchema } from './event';
import { validate } from '../validate';
import { sampleCapturedEvents, sampleRecordedEvents } from '../testing/events';

describe('event schemas', () => {
  it('accepts one sample of every whitelisted type', () => {
    const samples = sampleCapturedEvents();
    expect(new Set(samples.map((e) => e.type))).toEqual(new Set(EVENT_TYPES));
    for (const e of samples) {
      const r = validate(CapturedEventSchema, e);
      expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
    }
  });

  it('refuses a type not on the whitelist with a readable message', () => {
    const r = validate(CapturedEventSchema, { ...sampleCapturedEvents()[0], type: 'keylogger' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/not on the whitelist/);
  });

  it('names the offending path for a malformed field', () => {
    const click = sampleCapturedEvents().find((e) => e.type === 'click')!;
    const r = validate(CapturedEventSchema, { ...click, coordinates: { x: 'left', y: 1 } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/^coordinates\.x: /);
  });

  it('refuses oversized target text', () => {
    const click = sampleCapturedEvents().find((e) => e.type === 'click')!;
    if (click.type !== 'click') throw new Error('fixture');
    const r = validate(CapturedEventSchema, { ...click, target: { ...click.target, text: 'x'.repeat(201) } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/target\.text/);
  });

  it('recorded events need a valid session id and a sequence from 1', () => {
    const [e] = sampleRecordedEvents('cs_md0ap0gn_thwyx', 1);
    expect(validate(RecordedEventSchema, e).ok).toBe(true);
    expect(validate(RecordedEventSchema, { ...e, sequence: 0 }).ok).toBe(false);
    expect(validate(RecordedEventSchema, { ...e, sequence: 1.5 }).ok).toBe(false);
    const bad = validate(RecordedEventSchema, { ...e, sessionId: "x'; drop table sessions; --" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/^sessionId: session id must be/);
  });

  it('drops unknown keys instead of storing them', () => {
    const [e] = sampleRecordedEvents('s1', 1);
    const r = validate(RecordedEventSchema, { ...e, secret: 'hunter2' });
    expect(r.ok && 'secret' in r.value).toBe(false);
  });
});
