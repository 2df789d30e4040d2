#!/usr/bin/env node
// `npm start`: build the extension, start the sync server on its embedded default database, and say
// where everything is. Plain .mjs (no TypeScript step) so it runs before anything is compiled.
import { spawn, spawnSync } from 'node:child_process';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

console.log('Building the extension…');
const build = spawnSync(npx, ['wxt', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('The extension build failed (see above).');
  process.exit(build.status ?? 1);
}
const extensionDir = resolve(root, '.output/chrome-mv3');
console.log(
  `\nExtension built. Load it in Chrome: chrome://extensions → Developer mode → Load unpacked → ${extensionDir}\n`,
);

console.log('Building the admin console…');
const consoleBuild = spawnSync(npx, ['vite', 'build', '--config', 'sync-server/console/vite.config.ts'], {
  cwd: root,
  stdio: 'inherit',
});
// The server still starts: /admin then answers that the console is not built.
if (consoleBuild.status !== 0) console.error('The admin console build failed (see above); /admin will say so.');

console.log('Starting the sync server…');
// Node itself with tsx's loader, not `npx tsx`: npm exec and tsx's CLI would stay alive around the server
// (~120 MiB). `--liftoff-only` keeps V8 from recompiling the embedded database's WebAssembly with its
// optimizing tier (60–80 MiB that never comes back; a full-table aggregate ~30 % slower, storing and
// reading within 6 %: scripts/bench/README.md, "Embedded database memory"). With DATABASE_URL set there
// is no WebAssembly and the flag changes nothing.
const server = spawn(process.execPath, ['--import', 'tsx', '--liftoff-only', 'src/main.ts'], {
  cwd: resolve(root, 'sync-server'),
  stdio: 'inherit',
  env: process.env,
});
const forward = (signal) => server.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
server.on('exit', (code, signal) => {
  if (signal) process.exit(0);
  process.exit(code ?? 0);
});
