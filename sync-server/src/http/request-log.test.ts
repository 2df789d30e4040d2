import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import type { AppEnv } from './app-env';
import { requestLog } from './request-log';

/** An app answering `/status/:n` with that status, its request lines captured. */
function loggedApp() {
  const lines: { level: string; status: number }[] = [];
  const logger = createLogger('debug', (line) => lines.push(JSON.parse(line) as { level: string; status: number }));
  const app = new Hono<AppEnv>();
  app.use(requestLog(logger));
  app.get('/status/:n', (c) => c.body(null, Number(c.req.param('n')) as 200));
  return { app, lines };
}

describe('requestLog', () => {
  it('logs a 500 as an error, a 503 (a refusal the server chose: starting, draining) as a warning, the rest as info', async () => {
    const { app, lines } = loggedApp();
    for (const status of [200, 404, 500, 503]) await app.request(`/status/${status}`);
    expect(lines.map((l) => [l.status, l.level])).toEqual([
      [200, 'info'],
      [404, 'info'],
      [500, 'error'],
      [503, 'warn'],
    ]);
  });
});
