import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { err, ok, type Result } from '@codesight/schema';

/** The oldest Node major the project supports (`engines`): 20 reached its end of life in April 2026. */
export const OLDEST_SUPPORTED_NODE_MAJOR = 22;

/**
 * Whether `version` (like `v24.21.0`) is the Node the suite must run on: at least
 * {@link OLDEST_SUPPORTED_NODE_MAJOR} and the major `.nvmrc` names, so a test run that silently fell
 * back to the machine's older Node (a script calling `/usr/bin/node`, a PATH without
 * `node_modules/.bin`) fails instead of passing on a runtime nobody deploys.
 */
export function checkNodeVersion(version: string, nvmrc: string): Result<number, string> {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  const wanted = Number(/^\s*v?(\d+)/.exec(nvmrc)?.[1]);
  if (!Number.isInteger(wanted)) return err(`.nvmrc does not name a Node major version: "${nvmrc.trim()}"`);
  if (!Number.isInteger(major)) return err(`cannot read a Node version from "${version}"`);
  if (major < OLDEST_SUPPORTED_NODE_MAJOR || major !== wanted) {
    return err(
      `the tests run on Node ${version} (${process.execPath}), but the project targets Node ${wanted} (.nvmrc; ` +
        `oldest supported ${OLDEST_SUPPORTED_NODE_MAJOR}). Run them through npm (npm test, npx vitest), which puts ` +
        `node_modules/.bin/node (the \`node\` devDependency) first on PATH, after npm ci.`,
    );
  }
  return ok(major);
}

/** The repository's `.nvmrc`. */
export function readNvmrc(): string {
  return readFileSync(fileURLToPath(new URL('../../.nvmrc', import.meta.url)), 'utf8');
}

/** Vitest globalSetup: refuses to run any test on a Node other than the target one. */
export default function requireTargetNode(): void {
  const checked = checkNodeVersion(process.version, readNvmrc());
  if (!checked.ok) throw new Error(checked.error);
}
