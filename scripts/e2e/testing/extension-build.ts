import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The repository root (scripts/e2e/testing → ../../..). */
export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
/** Where `wxt build` puts the unpacked extension. */
export const EXTENSION_DIR = resolve(REPO_ROOT, '.output/chrome-mv3');

/**
 * Returns the built extension folder. `npm test` builds before running vitest; running one E2E file
 * on its own builds here when no build exists yet.
 */
export function builtExtension(): string {
  if (!existsSync(resolve(EXTENSION_DIR, 'manifest.json'))) {
    const build = spawnSync('npx', ['wxt', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('wxt build failed');
  }
  return EXTENSION_DIR;
}
