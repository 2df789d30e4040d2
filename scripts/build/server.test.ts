import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { undeclaredImports } from './server';

/** A metafile whose one output imports `paths` (external unless listed in `bundled`). */
function importing(paths: string[], bundled: string[] = []): Pick<Metafile, 'outputs'> {
  return {
    outputs: {
      'sync-server/dist/server/main.js': {
        bytes: 1,
        inputs: {},
        exports: [],
        imports: paths.map((path) => ({ path, kind: 'import-statement' as const, external: !bundled.includes(path) })),
      },
    },
  };
}

describe('undeclaredImports', () => {
  it('names each npm package imported but not declared, by package name, once', () => {
    const metafile = importing(['pg', 'sharp', '@aws-sdk/client-s3/dist-cjs/x', 'lodash/fp', 'lodash', 'sharp']);
    expect(undeclaredImports(metafile, new Set(['pg', '@aws-sdk/client-s3']))).toEqual(['lodash', 'sharp']);
  });

  it("ignores Node's built-in modules and what the bundle itself contains", () => {
    const metafile = importing(
      ['node:fs', 'fs', 'crypto', 'chunk-ABC.js', '@codesight/schema'],
      ['chunk-ABC.js', '@codesight/schema'],
    );
    expect(undeclaredImports(metafile, new Set())).toEqual([]);
  });
});
