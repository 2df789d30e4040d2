import type { Socket } from 'node:net';

/**
 * The client-side TCP connections of a proxy: counts their bytes (live and closed) and cuts them all at
 * once, which is what "the network went away" looks like to the browser.
 */
export class SocketTracker {
  private readonly live = new Set<Socket>();
  private closedRead = 0;
  private closedWritten = 0;

  /** Starts tracking `socket` until it closes. */
  track(socket: Socket): void {
    this.live.add(socket);
    socket.once('close', () => {
      this.live.delete(socket);
      this.closedRead += socket.bytesRead;
      this.closedWritten += socket.bytesWritten;
    });
  }

  /** Bytes read from and written to clients so far, over every connection ever tracked. */
  bytes(): { fromClients: number; toClients: number } {
    let fromClients = this.closedRead;
    let toClients = this.closedWritten;
    for (const s of this.live) {
      fromClients += s.bytesRead;
      toClients += s.bytesWritten;
    }
    return { fromClients, toClients };
  }

  /** Connections open right now. */
  get open(): number {
    return this.live.size;
  }

  /** Resets every open connection (RST, not a polite FIN: a dead network does not say goodbye). */
  destroyAll(): void {
    for (const s of this.live) s.resetAndDestroy();
  }
}
