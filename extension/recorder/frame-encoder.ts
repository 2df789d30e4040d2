import type { Rect } from '@codesight/schema';
import { boxToPixels, REDACTION_FILL_STYLE } from './redact-pixels';
import type { EncodedFrame, FrameOptions } from './screenshot-recorder';

/**
 * Scales a captured frame to the width limit, paints the sensitive boxes over it and encodes it
 * (WebP or JPEG) with OffscreenCanvas, which the service worker has. The boxes are painted on the
 * canvas the encoder reads, so no unredacted pixel reaches the encoded bytes. Browser only: covered
 * by the recorder E2E test.
 */
export async function encodeFrame(
  image: Blob,
  boxes: readonly Rect[],
  viewport: { width: number; height: number },
  options: FrameOptions,
): Promise<EncodedFrame> {
  const bitmap = await createImageBitmap(image);
  try {
    const shrink = options.maxWidth > 0 && bitmap.width > options.maxWidth ? options.maxWidth / bitmap.width : 1;
    const width = Math.max(1, Math.round(bitmap.width * shrink));
    const height = Math.max(1, Math.round(bitmap.height * shrink));
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2d canvas context');
    context.drawImage(bitmap, 0, 0, width, height);
    // CSS pixels of the viewport → pixels of this canvas (device pixel ratio times the downscale).
    const scale = viewport.width > 0 ? width / viewport.width : 1;
    context.fillStyle = REDACTION_FILL_STYLE;
    for (const box of boxes) {
      const px = boxToPixels(box, scale, width, height);
      if (px) context.fillRect(px.left, px.top, px.right - px.left, px.bottom - px.top);
    }
    const mime = options.format === 'jpeg' ? 'image/jpeg' : 'image/webp';
    const blob = await canvas.convertToBlob({ type: mime, quality: options.quality });
    // An encoder that cannot make the type falls back to PNG: record what the bytes really are.
    return { bytes: new Uint8Array(await blob.arrayBuffer()), mime: blob.type || mime, width, height };
  } finally {
    bitmap.close();
  }
}
