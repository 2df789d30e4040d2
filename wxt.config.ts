import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';

// The extension's sources live in extension/ (srcDir); the build lands in .output/chrome-mv3/.
export default defineConfig({
  srcDir: 'extension',
  outDir: '.output',
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
    permissions: ['storage', 'unlimitedStorage', 'tabs', 'downloads', 'alarms', 'offscreen', 'tabCapture'],
    host_permissions: ['<all_urls>'],
    commands: {
      // The background's TAKE_SCREENSHOTS_COMMAND.
      'take-screenshots': {
        suggested_key: { default: 'Alt+Shift+S' },
        description: 'Take a burst of screenshots of the current tab',
      },
    },
  },
});
