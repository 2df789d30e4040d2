/**
 * `npx tsx scripts/bench/profile-summary.ts DIR [TOP]`: summarises the V8 CPU profile that
 * `sync.ts --profile-server DIR` makes the server write: self time per package / source folder and the
 * TOP functions (default 30), so that "where does the server's time go" needs no DevTools.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: `node_modules/x/...` → `x/...`, repository files from their top folder. */
function fileOf(frame: ProfileNode['callFrame']): string {
  const path = frame.url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) return path.slice(modules + 'node_modules/'.length);
  const repo = /\/(sync-server|schema|extension|scripts)\//.exec(path);
  return repo ? path.slice(repo.index + 1) : path;
}

/** `pg-protocol/dist/...` → `pg-protocol`; a repository file → its folder; V8 internals as named. */
function areaOf(frame: ProfileNode['callFrame']): string {
  if (frame.url === '') return frame.functionName || '(native)';
  if (frame.url.startsWith('node:')) return frame.url.split('/').slice(0, 2).join('/');
  const file = fileOf(frame);
  if (frame.url.includes('node_modules/')) return /^(@[^/]+\/)?[^/]+/.exec(file)![0];
  return file.replace(/\/[^/]*$/, '');
}

function top(totals: Map<string, number>, all: number, count: number): string {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(
      ([key, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / all).toFixed(1).padStart(5)}%  ${key}`,
    )
    .join('\n');
}

async function main(): Promise<void> {
  const [dir, count = '30'] = process.argv.slice(2);
  if (!dir) throw new Error('usage: profile-summary.ts DIR [TOP]');
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the server's main thread (tsx's
  // module loader runs in another thread and writes its own, uninteresting, profile).
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile') && f.split('.')[4] === '0').sort();
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`);
  for (const file of files) {
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<number, number>();
    profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
    const byArea = new Map<string, number>();
    const byFunction = new Map<string, number>();
    let all = 0;
    for (const [id, us] of self) {
      const frame = nodes.get(id)!.callFrame;
      all += us;
      byArea.set(areaOf(frame), (byArea.get(areaOf(frame)) ?? 0) + us);
      const name =
        frame.url === ''
          ? frame.functionName
          : `${frame.functionName || '(anonymous)'} ${fileOf(frame)}:${frame.lineNumber + 1}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    }
    process.stdout.write(
      `${file}: ${(all / 1000).toFixed(0)} ms sampled ("(idle)" is time waiting, mostly for PostgreSQL)\n\n`,
    );
    process.stdout.write(
      `By package or folder:\n${top(byArea, all, 20)}\n\nBy function:\n${top(byFunction, all, Number(count))}\n\n`,
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
