import { beforeAll, describe, expect, it } from 'vitest';
import type { TcpProxy } from '../faults/tcp-proxy';
import { useFaultRig } from './testing/fault-rig';
import { countLocalEvents } from './testing/local-events';
import { syncState } from './testing/popup';
import { browseLikeAWorker, clickBurst } from './testing/traffic';
import { sleep, waitFor } from './testing/wait';

/**
 * Fault 2: the server process dies (SIGKILL: no shutdown, no close frames, a transaction cut short)
 * while a large backlog drains, with a batch on the wire; it is started again. The extension must
 * notice, reconnect, ask what the server holds and resend the rest, and nothing may be stored twice.
 */

const SESSION_ID = 'e2e_fault_server_crash_1';
/** Enough events for several batches (a batch is at most 500 events or 256 KiB). */
const BACKLOG_EVENTS = 2500;
/**
 * The kill lands as the first batch sent after this many acks goes up: part of the backlog is
 * committed, the batches of the window behind it are in flight, one of them in the server's hands.
 */
const KILL_AFTER_ACKS = 1;
/** The server stays down this long while the extension retries (its restart adds ~2 s more). */
const DOWN_MS = 1_000;

const rig = useFaultRig();
let proxy: TcpProxy;

beforeAll(async () => {
  proxy = await rig.startTcpProxy();
});

describe('fault 2: server killed mid-batch', () => {
  it('resends what the dead server did not commit, after it restarts', async () => {
    const { popup, page, shop } = rig;
    const server = rig.servers[0]!;

    // The backlog is recorded before any server is configured: it all drains at once afterwards.
    await rig.startRecording(SESSION_ID);
    await browseLikeAWorker(page, shop.url);
    await clickBurst(page, shop.url, BACKLOG_EVENTS);
    const backlog = await waitFor(
      () => countLocalEvents(popup, SESSION_ID),
      (n) => n >= BACKLOG_EVENTS,
      'the backlog in IndexedDB',
    );

    let killed: Promise<void> | undefined;
    let batchesUp = 0;
    let acksDown = 0;
    let atKill = { batchesUp, acksDown };
    const stopWatching = proxy.onFrame((frame) => {
      if (killed) return;
      if (frame.direction === 'down' && frame.summary.type === 'batch_ack') acksDown += 1;
      if (frame.direction !== 'up' || frame.summary.type !== 'batch') return;
      batchesUp += 1;
      if (acksDown < KILL_AFTER_ACKS) return;
      atKill = { batchesUp, acksDown };
      killed = server.kill('SIGKILL');
    });
    await rig.connect(proxy.url);
    await waitFor(
      () => killed !== undefined,
      (k) => k,
      'a batch to go up while the backlog drains',
    );
    await killed;
    stopWatching();
    const storedAtKill = (await rig.storedCounts(SESSION_ID)).stored;
    console.log(
      `fault 2: server killed with ${atKill.batchesUp} batches sent and ${atKill.acksDown} acked; ` +
        `it had committed ${storedAtKill} of ${backlog} events`,
    );
    expect(atKill.acksDown, 'a batch was unanswered when the server died').toBeLessThan(atKill.batchesUp);
    expect(storedAtKill, 'part of the backlog was committed before the kill').toBeGreaterThan(0);
    expect(storedAtKill).toBeLessThan(backlog);

    await sleep(DOWN_MS);
    await server.start();
    await clickBurst(page, shop.url, 40); // recording goes on
    await rig.waitForDrain('the backlog to drain after the restart', 120_000);
    console.log(
      `fault 2: drained after the restart (${(await syncState(popup)).connection}); proxy saw ${proxy.counters().upgrades} upgrades`,
    );

    await rig.stopAndExpectExactlyOnce({ label: 'fault 2', sessionId: SESSION_ID });
  }, 240_000);
});
