import { describe, expect, it } from 'vitest';
import { exportQuery, exportRangeText } from './dataset-export-form';

const DEC_1 = Date.UTC(2026, 11, 1);
const DEC_3 = Date.UTC(2026, 11, 3);
const dataset = { format: 'dataset-jsonl' } as const;

describe('exportQuery', () => {
  it('turns whole UTC days, both included, into [from, to) epoch ms', () => {
    expect(exportQuery({ ...dataset, from: '2026-12-01', to: '2026-12-02', worker: '' })).toEqual({
      query: `format=dataset-jsonl&from=${DEC_1}&to=${DEC_3}`,
    });
    expect(exportQuery({ format: 'legacy-jsonl', from: '2026-12-01', to: '2026-12-01', worker: ' w-1 ' })).toEqual({
      query: `format=legacy-jsonl&from=${DEC_1}&to=${DEC_1 + 86_400_000}&worker=w-1`,
    });
  });

  it('leaves open ends open', () => {
    expect(exportQuery({ ...dataset, from: '', to: '', worker: '' })).toEqual({ query: 'format=dataset-jsonl' });
    expect(exportQuery({ ...dataset, from: '2026-12-01', to: '', worker: '' })).toEqual({
      query: `format=dataset-jsonl&from=${DEC_1}`,
    });
  });

  it('refuses what is not a range', () => {
    expect(exportQuery({ ...dataset, from: 'yesterday', to: '', worker: '' })).toEqual({
      error: 'the first day is not a date',
    });
    expect(exportQuery({ ...dataset, from: '', to: '2026-02-31', worker: '' })).toEqual({
      error: 'the last day is not a date',
    });
    expect(exportQuery({ ...dataset, from: '2026-12-03', to: '2026-12-01', worker: '' })).toEqual({
      error: 'the first day is after the last',
    });
    expect(exportQuery({ ...dataset, from: '', to: '', worker: 'x'.repeat(129) })).toEqual({
      error: 'a worker id has at most 128 characters',
    });
  });
});

describe('exportRangeText', () => {
  it('names the days as the form took them, and open ends', () => {
    expect(exportRangeText({ from: DEC_1, to: DEC_3 })).toBe('2026-12-01 – 2026-12-02 · every worker');
    expect(exportRangeText({ worker: 'w-1' })).toBe('the beginning – now · worker w-1');
  });
});
