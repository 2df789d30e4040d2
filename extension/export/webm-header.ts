/** The first four bytes of every WebM (Matroska) stream: the ID of its EBML header element. */
const EBML_MAGIC = [0x1a, 0x45, 0xdf, 0xa3] as const;

/**
 * Whether `blob` starts a WebM stream. The first timeslice of a MediaRecorder run carries the header and
 * later ones continue the same byte stream, so a header anywhere after chunk 0 means the recorder was
 * started again (a restarted browser) and a new stream begins there. A continuation starts with a
 * Cluster or block element, never with this ID.
 */
export async function startsWebmStream(blob: Blob): Promise<boolean> {
  const head = new Uint8Array(await blob.slice(0, EBML_MAGIC.length).arrayBuffer());
  return head.length === EBML_MAGIC.length && EBML_MAGIC.every((byte, i) => head[i] === byte);
}
