/**
 * Renders extension/assets/icon.svg to the PNG sizes Chrome and the Web Store use (16, 32, 48, 128) under
 * extension/public/icon/, where WXT finds them for the manifest's `icons`. `npm run icons`; the PNGs are
 * committed, so a build needs no image tooling.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

/** The sizes Chrome asks for: toolbar (16, 32 on HiDPI), extensions page (48), store and install (128). */
export const ICON_SIZES = [16, 32, 48, 128] as const;

const svg = readFileSync(fileURLToPath(new URL('../../extension/assets/icon.svg', import.meta.url)));
for (const size of ICON_SIZES) {
  const target = fileURLToPath(new URL(`../../extension/public/icon/${size}.png`, import.meta.url));
  // Rendered at the target size's density, so small icons are drawn, not downscaled from a big bitmap.
  await sharp(svg, { density: (72 * size) / 128 })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toFile(target);
  process.stdout.write(`wrote ${target}\n`);
}
