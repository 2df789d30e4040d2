import type { ExportFormat } from '../../src/jobs/exports/dataset-export-job';

/**
 * The Exports page's form as the query of `POST /api/admin/exports` (the range `GET
 * /api/admin/dataset.jsonl` takes): whole UTC days, both ends included, optionally one worker.
 */

/**
 * The export formats the server writes, as the form offers them. Keyed by the server's own type (erased
 * by the build): a format added or renamed on either side fails the typecheck.
 */
export const EXPORT_FORMAT_LABELS: Readonly<Record<ExportFormat, string>> = {
  'dataset-jsonl': 'JSONL dataset (a line per action)',
  'legacy-jsonl': 'Legacy session JSON (a line per session)',
};

export type { ExportFormat };

/** What the operator chose: a format, `YYYY-MM-DD` days (empty: open end), a worker id (empty: everyone). */
export interface ExportForm {
  format: ExportFormat;
  from: string;
  to: string;
  worker: string;
}

const DAY_MS = 86_400_000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Epoch ms of the start of a `YYYY-MM-DD` UTC day, or undefined when it is not one. */
function dayStart(day: string): number | undefined {
  const match = DAY.exec(day);
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(y, m - 1, d);
  // Date.UTC rolls 2026-02-31 over to March: a day that does not exist is refused, not moved.
  const back = new Date(ms);
  return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d ? ms : undefined;
}

/** The query string (without `?`) for the form, or why the form is not a range. */
export function exportQuery(form: ExportForm): { query: string } | { error: string } {
  const params = new URLSearchParams({ format: form.format });
  const from = form.from.trim() === '' ? undefined : dayStart(form.from.trim());
  const toDay = form.to.trim() === '' ? undefined : dayStart(form.to.trim());
  if (form.from.trim() !== '' && from === undefined) return { error: 'the first day is not a date' };
  if (form.to.trim() !== '' && toDay === undefined) return { error: 'the last day is not a date' };
  // The last day is included: the range ends where the next day starts.
  const to = toDay === undefined ? undefined : toDay + DAY_MS;
  if (from !== undefined && to !== undefined && from >= to) return { error: 'the first day is after the last' };
  if (from !== undefined) params.set('from', String(from));
  if (to !== undefined) params.set('to', String(to));
  const worker = form.worker.trim();
  if (worker.length > 128) return { error: 'a worker id has at most 128 characters' };
  if (worker !== '') params.set('worker', worker);
  return { query: params.toString() };
}

/** An export job's payload in words: `2026-12-01 – 2026-12-02 · worker w1`, open ends shown as such. */
export function exportRangeText(payload: { from?: number; to?: number; worker?: string }): string {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const from = payload.from === undefined ? 'the beginning' : day(payload.from);
  const to = payload.to === undefined ? 'now' : day(payload.to - 1);
  return `${from} – ${to}${payload.worker ? ` · worker ${payload.worker}` : ' · every worker'}`;
}
