/**
 * Writes docs/privacy-policy.md from the extension's own rule lists (extension/privacy-notice/): the
 * copy a Chrome Web Store listing links to. `npm run docs:privacy`; a unit test fails while it is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { privacyNotice } from '../../extension/privacy-notice/privacy-notice';
import { privacyNoticeMarkdown } from '../../extension/privacy-notice/privacy-notice-markdown';

const target = fileURLToPath(new URL('../../docs/privacy-policy.md', import.meta.url));
writeFileSync(target, privacyNoticeMarkdown(privacyNotice()));
process.stdout.write(`wrote ${target}\n`);
