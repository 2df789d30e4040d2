import type { Page } from 'playwright-core';
import { processTree, readCpuMs, readMemory, type ChromiumProcess, type ProcessMemory } from './chromium-processes';
import { readRecorderStatus, type RecorderStatus } from './extension-page';
import { indexedDbDiskBytes } from './indexeddb-disk';
import type { ExtensionHeapUsage, ExtensionHeaps } from './js-heaps';

/** One process at one reading. */
export interface ProcessReading {
  process: ChromiumProcess;
  memory: ProcessMemory;
  cpuMs: number;
}

/** Every process of the tree and the extension's JavaScript heaps at one moment. */
export interface MemoryReading {
  processes: ProcessReading[];
  /** Undefined when CDP did not answer in time. */
  heaps: ExtensionHeapUsage | undefined;
}

/** One sample: memory as it is, then again after a forced full GC, with the recorder's state. */
export interface Sample {
  label: string;
  /** Epoch ms of the first reading. */
  takenAt: number;
  /** Minutes into the measured period, for the minute samples (0 at start); undefined otherwise. */
  minute: number | undefined;
  /** As the worker's machine would see it: garbage not yet collected included. */
  natural: MemoryReading;
  /**
   * After a full GC in the service worker's and the pages' isolates: what is retained. A leak grows
   * here; garbage V8 has not collected yet (it grows its heap lazily) does not.
   */
  afterGc: MemoryReading;
  indexedDbDiskBytes: number;
  status: RecorderStatus;
}

/** Time for freed pages to leave the process after a forced GC (V8 and PartitionAlloc release lazily). */
const AFTER_GC_SETTLE_MS = 1_000;

export interface SamplerDeps {
  browserPid: number;
  heaps: ExtensionHeaps;
  /** The popup page: the recorder's status is read there. */
  popup: Page;
  userDataDir: string;
  extensionId: string;
}

/** Takes samples of the whole Chromium tree. */
export function createSampler(deps: SamplerDeps) {
  const read = async (): Promise<MemoryReading> => {
    const processes: ProcessReading[] = [];
    for (const process of await processTree(deps.browserPid)) {
      const [memory, cpuMs] = await Promise.all([readMemory(process.pid), readCpuMs(process.pid)]);
      if (memory && cpuMs !== undefined) processes.push({ process, memory, cpuMs });
    }
    return { processes, heaps: await deps.heaps.read().catch(() => undefined) };
  };
  return async (label: string, minute?: number): Promise<Sample> => {
    const takenAt = Date.now();
    const natural = await read();
    const status = await readRecorderStatus(deps.popup);
    await deps.heaps.collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, AFTER_GC_SETTLE_MS));
    const afterGc = await read();
    return {
      label,
      takenAt,
      minute,
      natural,
      afterGc,
      indexedDbDiskBytes: await indexedDbDiskBytes(deps.userDataDir, deps.extensionId),
      status,
    };
  };
}
