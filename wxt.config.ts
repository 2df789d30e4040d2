import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';

// The extension's sources live in extension/ (srcDir); the build lands in .output/chrome-mv3/.
export default defineConfig({
  srcDir: 'extension',
  outDir: '.output',
  // Copied as-is into the build: the icons (npm run icons) and the managed-storage schema.
  publicDir: 'extension/public',
  // Explicit imports everywhere: modules stay testable outside WXT and readers see where names come from.
  imports: false,
  manifestVersion: 3,
  vite: () => ({
    plugins: [preact()],
  }),
  manifest: {
    name: 'CodeSight Collector',
    description:
      'Records web-browsing sessions (clicks, inputs, navigation, narration, screenshots) for agent training data.',
    // Each one is justified in docs/permissions.md (a test checks every one is listed there). No `tabs`:
    // the tab URLs and titles recorded are those of web pages, which <all_urls> already exposes.
    permissions: ['storage', 'unlimitedStorage', 'downloads', 'alarms', 'offscreen', 'tabCapture'],
    host_permissions: ['<all_urls>'],
    // chrome.tabCapture.getMediaStreamId from the service worker (tab video) needs Chrome 116.
    minimum_chrome_version: '116',
    // Organisations preset the server URL through Chrome's 3rdparty policy (docs/deploy-extension.md).
    storage: { managed_schema: 'managed-schema.json' },
    commands: {
      // The background's TAKE_SCREENSHOTS_COMMAND.
      'take-screenshots': {
        suggested_key: { default: 'Alt+Shift+S' },
        description: 'Take a burst of screenshots of the current tab',
      },
    },
  },
});
