/**
 * `npm run build:server`: bundles the sync server's entry points into `sync-server/dist/server/` so
 * production runs plain `node` on JavaScript, without a TypeScript loader at run time.
 *
 * Only the project's own code is bundled (the server and the `@codesight/schema` workspace, which is
 * TypeScript source); every npm package stays an import resolved from `node_modules` at run time, so
 * PGlite finds its WebAssembly and data files where it expects them, and a deploy is `npm ci
 * --omit=dev` plus this folder.
 */
import { readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Two levels below `sync-server/`, like the sources (`src/routes/…`): modules that find files next to
 * themselves with `new URL('../../console/dist', import.meta.url)` find the same files from the bundle.
 */
export const SERVER_DIST_DIR = resolve(root, 'sync-server/dist/server');

/** Entry points, each a module that runs itself when it is the process's main module. */
const ENTRY_POINTS = {
  main: 'sync-server/src/main.ts',
  migrate: 'sync-server/src/cli/migrate.ts',
  admin: 'sync-server/src/cli/admin.ts',
};

/** Bare imports stay imports, except the workspace's own TypeScript packages. */
const externalPackages: Plugin = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@codesight/') ? undefined : { path: args.path, external: true },
    );
  },
};

/** `lodash/fp` → `lodash`, `@aws-sdk/client-s3/x` → `@aws-sdk/client-s3`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

async function productionDependencies(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const manifest of ['package.json', 'sync-server/package.json']) {
    const parsed = JSON.parse(await readFile(resolve(root, manifest), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const name of Object.keys(parsed.dependencies ?? {})) names.add(name);
  }
  return names;
}

/**
 * The npm packages a bundle imports that are not in `declared` (Node's built-in modules aside), each
 * once, sorted.
 */
export function undeclaredImports(metafile: Pick<Metafile, 'outputs'>, declared: ReadonlySet<string>): string[] {
  const missing = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const imported of output.imports) {
      if (!imported.external || imported.path.startsWith('node:') || builtinModules.includes(imported.path)) continue;
      const name = packageName(imported.path);
      if (!declared.has(name)) missing.add(name);
    }
  }
  return [...missing].sort();
}

/**
 * Every npm package the bundle imports must be a production dependency of the root or the server:
 * a deploy runs `npm prune --omit=dev`, and a package only a devDependency would be missing there,
 * failing at the first request that loads it instead of here.
 */
async function checkRuntimeImports(metafile: Metafile): Promise<void> {
  const missing = undeclaredImports(metafile, await productionDependencies());
  if (missing.length > 0) {
    throw new Error(
      `the server imports ${missing.join(', ')}, not a production dependency: add it to sync-server/package.json "dependencies"`,
    );
  }
}

/** Builds the bundle; returns the files written. */
export async function buildServer(): Promise<string[]> {
  await rm(SERVER_DIST_DIR, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: ENTRY_POINTS,
    outdir: SERVER_DIST_DIR,
    bundle: true,
    platform: 'node',
    format: 'esm',
    // The oldest Node the project supports (engines).
    target: 'node22',
    // Shared code goes to chunks, so the three entry points do not each carry a copy of the server, and a
    // module's "am I the main module" check stays in that module's own entry file.
    splitting: true,
    // Beside the entry files, at the same depth (see SERVER_DIST_DIR).
    chunkNames: '[name]-[hash]',
    sourcemap: true,
    // Stack traces in the log point at the TypeScript sources.
    sourcesContent: false,
    plugins: [externalPackages],
    tsconfig: 'sync-server/tsconfig.json',
    metafile: true,
    logLevel: 'warning',
  });
  await checkRuntimeImports(result.metafile);
  return Object.keys(result.metafile.outputs);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildServer().then(
    (files) => {
      const entries = files.filter((f) => !/\/chunk-[^/]*$/.test(f) && f.endsWith('.js'));
      console.log(
        `Server bundle: ${entries.join(', ')} and ${files.length - entries.length} chunk and source map files`,
      );
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
