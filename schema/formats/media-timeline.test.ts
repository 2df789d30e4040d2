import { describe, expect, it } from 'vitest';
import { buildMediaTimeline } from './media-timeline';

const T0 = 1_752_327_000_000;
/** Events 1..6 at 0, 400, 900, 1000, 1500, 2600 ms. */
const events = [0, 400, 900, 1_000, 1_500, 2_600].map((ms, i) => ({ sequence: i + 1, timestamp: T0 + ms }));

describe('buildMediaTimeline', () => {
  const chunks = [
    { id: 'c0', startTime: T0, durationMs: 1_000 },
    { id: 'c1', startTime: T0 + 1_000, durationMs: 1_000 },
    { id: 'c2', startTime: T0 + 2_000, durationMs: 500 },
  ];
  const placed = [
    { id: 'c0', startTime: T0, endTime: T0 + 1_000, firstSequence: 1, lastSequence: 3 },
    { id: 'c1', startTime: T0 + 1_000, endTime: T0 + 2_000, firstSequence: 4, lastSequence: 5 },
    { id: 'c2', startTime: T0 + 2_000, endTime: T0 + 2_500 },
  ];

  it.each(['audio', 'video'] as const)('gives each %s chunk the events recorded while it ran, end excluded', (kind) => {
    const timeline =
      kind === 'audio' ? buildMediaTimeline(events, [], chunks) : buildMediaTimeline(events, [], [], chunks);
    expect(timeline).toEqual(placed.map((entry) => ({ kind, ...entry })));
  });

  it('ties a screenshot to its trigger, or else to the last event at or before it', () => {
    const timeline = buildMediaTimeline(
      events,
      [
        { id: 's-trigger', timestamp: T0 + 1_200, triggerSequence: 4 },
        { id: 's-after', timestamp: T0 + 1_600 },
        { id: 's-same', timestamp: T0 + 400 },
        { id: 's-before-all', timestamp: T0 - 5 },
      ],
      [],
    );
    expect(timeline.map((e) => [e.id, e.firstSequence, e.lastSequence])).toEqual([
      ['s-before-all', undefined, undefined],
      ['s-same', 2, 2],
      ['s-trigger', 4, 4],
      ['s-after', 5, 5],
    ]);
  });

  it('orders everything by time, audio then video then screenshots at the same instant, whatever the input order', () => {
    const shuffled = [...events].reverse();
    const timeline = buildMediaTimeline(
      shuffled,
      [{ id: 's', timestamp: T0 }],
      [
        { id: 'a1', startTime: T0 + 500, durationMs: 500 },
        { id: 'a0', startTime: T0, durationMs: 500 },
      ],
      [{ id: 'v', startTime: T0, durationMs: 2_000 }],
    );
    expect(timeline.map((e) => e.id)).toEqual(['a0', 'v', 's', 'a1']);
    expect(timeline[0]).toMatchObject({ firstSequence: 1, lastSequence: 2 });
    expect(timeline[1]).toMatchObject({ kind: 'video', firstSequence: 1, lastSequence: 5 });
  });

  it('handles a chunk spanning far more events than a function call takes arguments', () => {
    const many = Array.from({ length: 200_000 }, (_, i) => ({ sequence: i + 1, timestamp: T0 + i }));
    const [entry] = buildMediaTimeline(many, [], [{ id: 'long', startTime: T0, durationMs: 200_000 }]);
    expect(entry).toMatchObject({ firstSequence: 1, lastSequence: 200_000 });
  });
});
