/** What came back for one message: the oracle judges these, the report counts them. */
export type Answer =
  /** A WebSocket reply (parsed JSON, or `raw` text when it was not JSON). */
  | { kind: 'reply'; message: Record<string, unknown> | undefined; raw: string }
  /** The socket closed before a reply. */
  | { kind: 'close'; code: number; reason: string }
  /** An HTTP answer (also a refused WebSocket upgrade). */
  | { kind: 'http'; status: number; contentType: string; body: string; bytes?: Buffer }
  /** The connection ended with no answer at all. */
  | { kind: 'dropped'; detail: string }
  /** Nothing within the reply bound. */
  | { kind: 'timeout' }
  /** Not sent: the connection had already ended (a close answered an earlier frame). */
  | { kind: 'skipped' };

/** A short name for the table: `ws error validation_failed`, `http 404 not_found`, `close 1009`. */
export function answerKey(answer: Answer): string {
  switch (answer.kind) {
    case 'reply': {
      const m = answer.message;
      if (!m) return 'reply (not JSON)';
      return m.type === 'error' ? `error ${String(m.code)}` : String(m.type);
    }
    case 'close':
      return `close ${answer.code}`;
    case 'http': {
      const code = errorCodeOf(answer.body);
      return `${answer.status}${code ? ` ${code}` : ''}`;
    }
    default:
      return answer.kind;
  }
}

/** The `error.code` of an HTTP error body, if it is one. */
export function errorCodeOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown } };
    return typeof parsed.error?.code === 'string' ? parsed.error.code : undefined;
  } catch {
    return undefined;
  }
}
