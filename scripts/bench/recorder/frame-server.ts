import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Serves the latest captured frame at `url` on 127.0.0.1, for the encode probe to fetch. */
export interface FrameServer {
  url: string;
  setFrame(png: Buffer): void;
  stop(): Promise<void>;
}

/**
 * The encode probe fetches its PNG from here (as the recorder fetches captureVisibleTab's data URL into
 * a Blob) rather than receiving it inside the evaluated source: that would put ~100 KB of base64 into
 * each evaluated script, which V8 may keep (compilation cache, the inspector's script list) in the very
 * heap the bench measures.
 */
export async function startFrameServer(): Promise<FrameServer> {
  let frame: Buffer | undefined;
  const server = createServer((req, res) => {
    if (req.url !== '/frame.png' || !frame) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'image/png',
      'content-length': frame.length,
      'cache-control': 'no-store',
      'access-control-allow-origin': '*',
    });
    res.end(frame);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/frame.png`,
    setFrame: (png) => void (frame = png),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
