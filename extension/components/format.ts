import type { RecordedEvent } from '@codesight/schema';

/** `1.2 MB`-style sizes for the storage line. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** `mm:ss` or `h:mm:ss` durations. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** One line describing an event for the activity log. */
export function describeEvent(e: RecordedEvent): string {
  switch (e.type) {
    case 'click':
    case 'dblclick':
    case 'contextmenu':
    case 'hover':
      return `${e.target.tag}${e.target.text ? ` "${truncate(e.target.text, 40)}"` : ''}`;
    case 'input':
    case 'change':
    case 'select':
      return `${e.target.name ?? e.target.id ?? e.target.tag}${e.mask ? ` (masked: ${e.mask.rule})` : ''}`;
    case 'submit':
      return `form ${e.target.id ?? e.target.name ?? ''}`.trim();
    case 'keydown':
      return e.key;
    case 'scroll':
      return `to ${Math.round(e.scrollY)} of ${Math.round(e.scrollHeight)}`;
    case 'navigation':
      return `${e.navigationType} ${truncate(e.url, 50)}`;
    case 'tab':
      return `${e.action} ${truncate(e.url, 50)}`;
    case 'resize':
      return `${e.viewport.width}×${e.viewport.height}`;
    case 'visibility':
      return e.state;
  }
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
