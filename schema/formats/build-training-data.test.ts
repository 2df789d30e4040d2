import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../entities/event';
import { sampleRecordedEvents } from '../testing/events';
import { validate } from '../validate';
import {
  buildTrainingData,
  screenshotIdsBySequence,
  trainingDataChunks,
  TRAINING_ACTION_TYPES,
} from './build-training-data';
import { TrainingDataSchema } from './training-data';

const ID = 'cs_md0ap0gn_thwyx';
const media = { videoPath: null, audioPath: 'media/audio/narration.webm' };

function annotationFor(events: RecordedEvent[], type: RecordedEvent['type']) {
  const data = buildTrainingData(events.filter((e) => e.type === type).slice(0, 1), media);
  expect(data.annotations).toHaveLength(1);
  return data.annotations[0]!;
}

async function* lazily(events: Iterable<RecordedEvent>): AsyncGenerator<RecordedEvent> {
  for (const e of events) {
    await Promise.resolve();
    yield e;
  }
}

describe('buildTrainingData', () => {
  it('validates against TrainingDataSchema with exactly the snake_case keys', () => {
    const data = buildTrainingData(sampleRecordedEvents(ID, 15), media);
    const r = validate(TrainingDataSchema, data);
    expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
    expect(Object.keys(data)).toEqual(['video_path', 'audio_path', 'annotations']);
    expect(Object.keys(data.annotations[0]!)).toEqual([
      'timestamp',
      'action_type',
      'target_selector',
      'coordinates',
      'element_text',
      'page_url',
      'screenshot_ids',
    ]);
    expect(data.video_path).toBeNull();
    expect(data.audio_path).toBe('media/audio/narration.webm');
  });

  it('keeps one annotation per action in event order and drops tab, resize and visibility', () => {
    const events = sampleRecordedEvents(ID, 15);
    const data = buildTrainingData(events, media);
    const expected = events.filter((e) => (TRAINING_ACTION_TYPES as readonly string[]).includes(e.type));
    expect(data.annotations.map((a) => a.action_type)).toEqual(expected.map((e) => e.type));
    expect(data.annotations.map((a) => a.timestamp)).toEqual(expected.map((e) => e.timestamp));
    expect(data.annotations.some((a) => ['tab', 'resize', 'visibility'].includes(a.action_type))).toBe(false);
    expect(data.annotations).toHaveLength(12);
  });

  it('maps pointer, value, key, scroll and navigation actions', () => {
    const events = sampleRecordedEvents(ID, 15);
    expect(annotationFor(events, 'click')).toEqual({
      timestamp: events[3]!.timestamp,
      action_type: 'click',
      target_selector: '#add-to-cart',
      coordinates: [450, 200],
      element_text: 'Add to cart',
      page_url: 'https://shop.example/product?id=3',
      screenshot_ids: [],
    });
    expect(annotationFor(events, 'hover')).toMatchObject({ coordinates: [450, 200], element_text: 'Add to cart' });
    expect(annotationFor(events, 'input')).toMatchObject({
      target_selector: '#email',
      coordinates: null,
      element_text: '[masked:email:13-32]',
    });
    expect(annotationFor(events, 'change')).toMatchObject({ element_text: 'gift wrap please' });
    expect(annotationFor(events, 'keydown')).toMatchObject({
      target_selector: null,
      element_text: 'Enter',
      coordinates: null,
    });
    expect(annotationFor(events, 'scroll')).toMatchObject({
      target_selector: null,
      coordinates: [0, 700],
      element_text: null,
    });
    expect(annotationFor(events, 'submit')).toMatchObject({
      action_type: 'submit',
      element_text: null,
      coordinates: null,
    });
    const nav = buildTrainingData(
      events.filter((e) => e.type === 'navigation'),
      media,
    ).annotations;
    expect(nav.map((a) => a.page_url)).toEqual(['https://shop.example/product?id=3', 'https://shop.example/cart']);
    expect(nav[1]).toMatchObject({ target_selector: null, coordinates: null, element_text: null });
  });

  it('lists the screenshots each action triggered, in burst order', () => {
    const events = sampleRecordedEvents(ID, 15);
    const click = events.find((e) => e.type === 'click')!;
    const submit = events.find((e) => e.type === 'submit')!;
    const screenshotIds = screenshotIdsBySequence([
      { id: 'b', triggerSequence: click.sequence, burstIndex: 1 },
      { id: 'a', triggerSequence: click.sequence, burstIndex: 0 },
      { id: 'manual', burstIndex: 0 },
      { id: 's', triggerSequence: submit.sequence, burstIndex: 0 },
    ]);
    const data = buildTrainingData(events, { ...media, screenshotIds });
    expect(data.annotations.find((a) => a.action_type === 'click')!.screenshot_ids).toEqual(['a', 'b']);
    expect(data.annotations.find((a) => a.action_type === 'submit')!.screenshot_ids).toEqual(['s']);
    expect(data.annotations.filter((a) => a.screenshot_ids.length > 0)).toHaveLength(2);
  });

  it('passes media paths through, null when absent', () => {
    const data = buildTrainingData([], { videoPath: 's3://b/v.webm', audioPath: null });
    expect(data).toEqual({ video_path: 's3://b/v.webm', audio_path: null, annotations: [] });
  });
});

describe('trainingDataChunks', () => {
  it('streams exactly the text of JSON.stringify(buildTrainingData(...)), in many pieces when long', async () => {
    for (const count of [0, 1, 3, 15, 4_000]) {
      const events = sampleRecordedEvents(ID, count);
      let text = '';
      let pieces = 0;
      for await (const piece of trainingDataChunks(lazily(events), media)) {
        text += piece;
        pieces++;
      }
      expect(text).toBe(JSON.stringify(buildTrainingData(events, media)));
      if (count === 4_000) expect(pieces).toBeGreaterThan(5);
      expect(validate(TrainingDataSchema, JSON.parse(text)).ok).toBe(true);
    }
  });
});
