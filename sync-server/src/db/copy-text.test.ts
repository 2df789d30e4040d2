import { describe, expect, it } from 'vitest';
import { COPY_INTERACTIONS_STATEMENT, interactionCopyLine } from './copy-text';
import type { NewInteraction } from './schema';

const row: NewInteraction = {
  session_id: 'cs_1',
  sequence: 7,
  type: 'click',
  timestamp: new Date(1_732_761_234_999),
  timestamp_ms: 1_732_761_234_999,
  url: 'https://shop.example/a\tb',
  title: null,
  tab_id: 3,
  frame_id: 0,
  selector: 'div > a',
  offset_x: 1.5,
  offset_y: null,
  is_visible: false,
  data: '{"text":"line\\none \\\\ two"}',
};

describe('interactionCopyLine', () => {
  it('writes every column in the statement order, nulls as \\N and the source default', () => {
    const fields = interactionCopyLine(row).slice(0, -1).split('\t');
    expect(COPY_INTERACTIONS_STATEMENT).toContain('(session_id, sequence, type, source, timestamp,');
    expect(fields).toEqual([
      'cs_1',
      '7',
      'click',
      'batch',
      '2024-11-28T02:33:54.999Z',
      '1732761234999',
      'https://shop.example/a\\tb',
      '\\N',
      '3',
      '0',
      'div > a',
      '1.5',
      '\\N',
      'f',
      '{"text":"line\\\\none \\\\\\\\ two"}',
    ]);
  });

  it('ends each row with one newline and escapes the characters COPY reserves inside values', () => {
    const line = interactionCopyLine({ ...row, title: 'a\nb\rc\\d' });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/[\n\r]/);
    expect(line).toContain('\ta\\nb\\rc\\\\d\t');
  });
});
