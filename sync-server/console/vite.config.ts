import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The admin console, built to sync-server/console/dist and served by the sync server at /admin
 * (src/routes/console-routes.ts). No inline script, so the server's CSP can forbid them.
 */
export default defineConfig({
  root,
  base: '/admin/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Assets are served only from /admin/assets, by name; inlining them as data: URLs is not needed.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
