import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP, consoleRoutes } from './console-routes';

let dir: string;
const INDEX = '<!doctype html><script type="module" src="/admin/assets/index-AbC123.js"></script>';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'console-dist-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), INDEX);
  await writeFile(join(dir, 'assets', 'index-AbC123.js'), 'console.log(1)');
  await writeFile(join(dir, 'secret.txt'), 'not an asset');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Mounted at /admin as app.ts mounts it. */
const get = (path: string, distDir = dir) => new Hono().route('/admin', consoleRoutes(distDir)).request(path);

describe('consoleRoutes', () => {
  it('answers index.html for the console and its client-side routes, uncached, under a strict CSP', async () => {
    for (const path of ['/admin', '/admin/', '/admin/sessions', '/admin/sessions/cs_1', '/admin/sign-in']) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toBe(INDEX);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    }
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain('unsafe-inline');
  });

  it('serves hashed assets with a year-long immutable cache and their type', async () => {
    const res = await get('/admin/assets/index-AbC123.js');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('console.log(1)');
    expect(res.headers.get('content-type')).toContain('text/javascript');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('serves nothing else from the directory, and no path outside it', async () => {
    for (const path of ['/admin/assets/missing-1.js', '/admin/assets/..%2Fsecret.txt', '/admin/assets/secret.txt']) {
      expect((await get(path)).status, path).toBe(404);
    }
  });

  it('leaves /admin/api to the API: an unknown call there is a JSON 404, not the page', async () => {
    const res = await get('/admin/api/nothing');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
  });

  it('says how to build the console when it is not built', async () => {
    const res = await get('/admin/sessions', join(dir, 'nowhere'));
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain('npm run build');
  });
});
