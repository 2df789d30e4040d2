/**
 * What the server's masking (issue 14) costs per ingested event, in Node on this machine: the shared
 * detectors walked over every captured string of an event, as `storeBatch` runs them before storing.
 * `npx tsx scripts/bench/server-masking.ts`. Prints microseconds per event for:
 * - clean: the fixture events as the extension sends them (already masked): the common case;
 * - with snippet: the same plus a 1.5 KB HTML neighbourhood snippet on clicks and inputs;
 * - planted: events carrying an email, a phone, a card and an IBAN in value, text and URL;
 * - legacy: old clients' interactions (free-form objects), clean;
 * - realistic: the sync bench's generated shopping session, in batches of 336 events (its mean batch),
 *   where the page's URL, title and selectors repeat from event to event.
 * For scale, it also prints toJsonb per event (the JSON the store already builds for every event).
 */
import { sampleRecordedEvents } from '@codesight/schema/testing';
import type { LegacyInteraction, RecordedEvent } from '@codesight/schema';
import { toJsonb } from '../../sync-server/src/db/jsonb';
import { EVENT_LOOP_PACE, maskLegacyInteractions, maskRecordedEvents } from '../../sync-server/src/privacy/mask-events';
import { generateShoppingSession } from './shopping-session';

// Never pausing: each run masks all its events before it returns (the server pauses every 10 ms).
const UNPACED = { ...EVENT_LOOP_PACE, sliceMs: Number.POSITIVE_INFINITY };
const mask = (events: readonly RecordedEvent[]) => void maskRecordedEvents(events, UNPACED);

const EVENTS = 5_000;
const ROUNDS = 20;

const SNIPPET =
  `<div class="product-card" data-cs-target><a href="/p/100234?ref=list"><img alt="Blue mug, 350 ml"></a><h3>Blue mug</h3><p class="price">$12.99</p><p>Order by 14:00 for delivery on 2026-12-05. SKU-44120-B, 4.5 stars from 1,203 reviews.</p><button id="add-100234" class="btn btn-primary">Add to cart</button><select name="qty"><option>1</option><option>2</option><option>3</option></select></div>`.repeat(
    3,
  );

function withSnippets(events: RecordedEvent[]): RecordedEvent[] {
  return events.map((e) => (e.type === 'click' || e.type === 'input' ? { ...e, neighbourhoodHtml: SNIPPET } : e));
}

function planted(events: RecordedEvent[]): RecordedEvent[] {
  return events.map((e) => {
    if (e.type === 'input') return { ...e, value: 'call me at +1 415 555 0123 or jane@example.com' };
    if (e.type === 'click') {
      return {
        ...e,
        url: 'https://shop.example/account?email=jane%40example.com',
        target: { ...e.target, text: 'Pay DE89 3704 0044 0532 0130 00 with 4111 1111 1111 1111' },
      };
    }
    return e;
  });
}

function legacy(count: number): LegacyInteraction[] {
  const out: LegacyInteraction[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      type: i % 3 === 0 ? 'input' : 'click',
      timestamp: 1_752_327_000_000 + i,
      url: `https://shop.example/product?id=${100 + (i % 50)}`,
      selector: `#item-${i % 50} > button.add`,
      element: 'button',
      text: 'Add to cart',
      coordinates: { x: 450, y: 200 },
      ...(i % 3 === 0 && { value: 'blue mug 350 ml' }),
    });
  }
  return out;
}

function microsPerEvent(run: () => void, events: number): number {
  run(); // warm up the JIT and the regexes
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const started = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - started) / 1000 / events);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const clean = sampleRecordedEvents('cs_bench_mask', EVENTS);
const snippets = withSnippets(clean);
const dirty = planted(clean);
const old = legacy(EVENTS);

const realistic = generateShoppingSession({ events: EVENTS, seed: 3 }).map((e, i): RecordedEvent => ({
  ...e,
  sessionId: 'cs_bench_mask',
  sequence: i + 1,
}));
const BATCH = 336;
const realisticBatches = Array.from({ length: Math.ceil(EVENTS / BATCH) }, (_, i) =>
  realistic.slice(i * BATCH, (i + 1) * BATCH),
);

const rows: [string, number][] = [
  ['clean (fixture, extension-masked)', microsPerEvent(() => mask(clean), EVENTS)],
  ['clean + 1.5 KB snippet on clicks/inputs', microsPerEvent(() => mask(snippets), EVENTS)],
  ['planted personal data', microsPerEvent(() => mask(dirty), EVENTS)],
  ['realistic session, batches of 336', microsPerEvent(() => realisticBatches.forEach(mask), EVENTS)],
  ['legacy interactions, clean', microsPerEvent(() => void maskLegacyInteractions(old, UNPACED), EVENTS)],
  ['for scale: toJsonb of the clean fixture', microsPerEvent(() => clean.forEach((e) => toJsonb(e)), EVENTS)],
  ['for scale: toJsonb with snippets', microsPerEvent(() => snippets.forEach((e) => toJsonb(e)), EVENTS)],
];
for (const [name, us] of rows) console.log(`${name.padEnd(42)} ${us.toFixed(2)} µs/event (median of ${ROUNDS})`);
