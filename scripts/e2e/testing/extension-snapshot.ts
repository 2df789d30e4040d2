import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtExtension } from './extension-build';

/** A private copy of the built extension. */
export interface ExtensionSnapshot {
  path: string;
  remove(): Promise<void>;
}

/**
 * Copies the built extension to a temp folder, so a `wxt build` run elsewhere while a long test is
 * running cannot swap files under the browser (Chromium reads content scripts on every injection).
 * Relaunching with the same copy keeps the extension id: it derives from the path.
 */
export async function snapshotExtension(): Promise<ExtensionSnapshot> {
  const source = builtExtension();
  const dir = await mkdtemp(join(tmpdir(), 'extension-snapshot-'));
  const path = join(dir, 'chrome-mv3');
  await cp(source, path, { recursive: true });
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}
