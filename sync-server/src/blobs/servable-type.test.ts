import { describe, expect, it } from 'vitest';
import { OPAQUE_TYPE, servableMediaType, servableTrackType } from './servable-type';

describe('servableTrackType', () => {
  it('serves the known audio and video types, keeping a well-formed codecs parameter only', () => {
    const cases: [string, string][] = [
      ['audio/webm;codecs=opus', 'audio/webm;codecs=opus'],
      ['AUDIO/WEBM; codecs=opus', 'audio/webm;codecs=opus'],
      ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp8,opus'],
      ['video/mp4; codecs="avc1.42E01E, mp4a.40.2"', 'video/mp4;codecs="avc1.42E01E, mp4a.40.2"'],
      ['video/webm', 'video/webm'],
      ['audio/webm;charset=utf-8;codecs=opus', 'audio/webm;codecs=opus'],
      ['audio/webm;codecs=<script>', 'audio/webm'],
      ['audio/webm;codecs="opus', 'audio/webm'],
    ];
    for (const [announced, served] of cases) expect(servableTrackType(announced), announced).toBe(served);
  });

  it('serves anything else as application/octet-stream', () => {
    for (const announced of [
      'text/html',
      'text/html;codecs=opus',
      'image/svg+xml',
      'application/json',
      'audio/x-evil',
      '',
    ]) {
      expect(servableTrackType(announced), announced).toBe(OPAQUE_TYPE);
    }
  });

  it('stores uploaded media with a known image, audio or video type, anything else as application/octet-stream', () => {
    expect(servableMediaType('image/webp')).toBe('image/webp');
    expect(servableMediaType('audio/webm;codecs=opus')).toBe('audio/webm;codecs=opus');
    expect(servableMediaType('text/html')).toBe(OPAQUE_TYPE);
    expect(servableMediaType('image/svg+xml')).toBe(OPAQUE_TYPE);
    expect(servableTrackType('image/png')).toBe(OPAQUE_TYPE);
  });
});
