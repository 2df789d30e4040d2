import type { Screenshot } from '@codesight/schema';
import { blobChunks } from './byte-streams';
import { writeJsonEntry, type HashedZipWriter } from './hashed-zip-writer';
import { isCompressedMime, screenshotPath } from './media-paths';

/** `screenshots/index.json`: the stored metadata of every screenshot plus where it is in the ZIP. */
export type ScreenshotIndex = Array<Screenshot & { path: string }>;

/** Where the screenshot index goes. */
export const SCREENSHOT_INDEX_PATH = 'screenshots/index.json';

/**
 * Writes every screenshot of `source` as it is (images are already compressed), one file per frame named
 * by its time (see {@link screenshotPath}), then the index; yields the archive bytes as they come and
 * returns the index. Memory: one blob chunk at a time, plus the metadata list.
 */
export async function* writeScreenshots(
  zip: HashedZipWriter,
  source: AsyncIterable<{ meta: Screenshot; blob: Blob }>,
  onWritten: (done: number) => void,
): AsyncGenerator<Uint8Array, ScreenshotIndex, undefined> {
  const index: ScreenshotIndex = [];
  const taken = new Set<string>();
  for await (const { meta, blob } of source) {
    const path = screenshotPath(meta, taken);
    const file = zip.open(path, { compress: !isCompressedMime(meta.mime) });
    for await (const chunk of blobChunks(blob)) {
      file.write(chunk);
      yield* zip.take();
    }
    file.close();
    yield* zip.take();
    index.push({ ...meta, path });
    onWritten(index.length);
  }
  yield* writeJsonEntry(zip, SCREENSHOT_INDEX_PATH, index);
  return index;
}
