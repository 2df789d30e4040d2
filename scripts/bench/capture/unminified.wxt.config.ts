import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';
import base from '../../../wxt.config';

/**
 * The extension built without minification, for `bench:capture --profile`: a CPU profile of minified
 * code names every function `e` or `t`. Same entrypoints and manifest as the real build.
 */
export default defineConfig({
  ...base,
  outDir: process.env.CAPTURE_BENCH_OUT_DIR ?? '.output/unminified',
  vite: () => ({ plugins: [preact()], build: { minify: false } }),
});
