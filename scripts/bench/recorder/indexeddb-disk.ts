import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

async function treeBytes(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0; // removed meanwhile (LevelDB compaction)
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(path).catch(() => [])) total += await treeBytes(join(path, entry));
  return total;
}

/**
 * Bytes on disk of the extension origin's IndexedDB in the profile: the LevelDB folder (rows, small
 * values) and the `.blob` folder (one file per large Blob, e.g. each screenshot), apparent sizes.
 * Includes what LevelDB has not compacted away yet, so it can run ahead of the rows' byte sum.
 */
export async function indexedDbDiskBytes(userDataDir: string, extensionId: string): Promise<number> {
  const dir = join(userDataDir, 'Default', 'IndexedDB');
  const prefix = `chrome-extension_${extensionId}_0.indexeddb.`;
  let total = 0;
  for (const entry of await readdir(dir).catch(() => [])) {
    if (entry.startsWith(prefix)) total += await treeBytes(join(dir, entry));
  }
  return total;
}
