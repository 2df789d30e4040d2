import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CDPSession } from 'playwright-core';

/** Time spent in one function, from a CDP CPU profile. */
export interface FunctionTime {
  name: string;
  /** url:line (1-based), the script's file name only. */
  where: string;
  selfMs: number;
  /** Self time plus the time of everything it called (each frame counted once per sample). */
  totalMs: number;
}

/** The profile of the page's main thread while an action series ran. */
export interface ProfileSummary {
  totalMs: number;
  /** Per script: the page's own inline script, rrweb, the content script, V8/Blink (no url). */
  byScript: { script: string; selfMs: number }[];
  /** Functions by total time, only those of `focusUrl`, largest first. */
  functions: FunctionTime[];
}

/** The parts of a CDP Profiler.Profile read here. */
interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

// 100 µs between samples: a click's few milliseconds of work get tens of samples.
const SAMPLING_INTERVAL_US = 100;

/** What the profiler needs of a CDP connection: a page's session, or the service worker's (worker-cdp.ts). */
export interface ProfilerCdp {
  send(method: string, params?: object): Promise<unknown>;
}

/** A page's CDP session as a {@link ProfilerCdp}. */
export const pageProfilerCdp = (cdp: CDPSession): ProfilerCdp => ({
  send: (method, params) => cdp.send(method as 'Profiler.enable', params),
});

/** Starts the V8 sampling profiler of the session's target (the page's main thread, every world). */
export async function startProfile(cdp: ProfilerCdp): Promise<void> {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
  await cdp.send('Profiler.start');
}

/** Stops the profiler and sums its samples by script and by function (those whose url contains `focusUrl`). */
export async function stopProfile(
  cdp: ProfilerCdp,
  focusUrl: string,
  saveAs?: string,
  top = 25,
): Promise<ProfileSummary> {
  const { profile } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
  await cdp.send('Profiler.disable');
  // The raw profile opens in Chrome DevTools (Performance panel, "Load profile").
  if (saveAs) {
    await mkdir(dirname(saveAs), { recursive: true });
    await writeFile(saveAs, JSON.stringify(profile));
  }
  const nodes = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    nodes.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // timeDeltas[i] is the time before sample i: attribute it to the sample that follows (the usual reading).
  for (let i = 0; i < samples.length; i++)
    self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + (deltas[i + 1] ?? 0) / 1000);

  const fileOf = (url: string) => (url ? url.replace(/^.*\//, '') : '(native)');
  const key = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'}\u0000${fileOf(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const byScript = new Map<string, number>();
  const fnSelf = new Map<string, number>();
  const fnTotal = new Map<string, number>();
  let totalMs = 0;
  for (const [id, ms] of self) {
    const node = nodes.get(id)!;
    totalMs += ms;
    const name = node.callFrame.functionName;
    const script =
      name === '(idle)' || name === '(program)' || name === '(garbage collector)' ? name : fileOf(node.callFrame.url);
    byScript.set(script, (byScript.get(script) ?? 0) + ms);
    if (node.callFrame.url.includes(focusUrl)) fnSelf.set(key(node), (fnSelf.get(key(node)) ?? 0) + ms);
    // Inclusive time: every distinct function on the stack of this sample gets the sample once.
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = nodes.get(at)!;
      if (frame.callFrame.url.includes(focusUrl)) onStack.add(key(frame));
    }
    for (const k of onStack) fnTotal.set(k, (fnTotal.get(k) ?? 0) + ms);
  }
  const functions = [...fnTotal]
    .map(([k, totalMs]) => {
      const [name, where] = k.split('\u0000') as [string, string];
      return { name, where, selfMs: fnSelf.get(k) ?? 0, totalMs };
    })
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, top);
  return {
    totalMs,
    byScript: [...byScript].map(([script, selfMs]) => ({ script, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
    functions,
  };
}
