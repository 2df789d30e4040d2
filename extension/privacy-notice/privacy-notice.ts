import {
  EVENT_TYPE_DESCRIPTIONS,
  EVENT_TYPES,
  LENGTH_CLASSES,
  MASK_RULE_DESCRIPTIONS,
  MASK_RULES,
  PRIVACY_MODE_DESCRIPTIONS,
  PRIVACY_MODES,
  TEXT_MASK_TOKENS,
  type MaskRule,
} from '@codesight/schema';
import { AUTOCOMPLETE_RULES } from '../capture/sensitive-fields';
import { PRIVATE_BLOCK_SELECTOR } from '../capture/private-block';

/** One entry of a notice section: a term (a rule or event name) and what it means. */
export interface NoticeItem {
  term: string;
  text: string;
  /** How the code recognises it, when that is a list (autocomplete tokens, the replacement token). */
  detail?: string;
}

/** A section of the privacy notice. */
export interface NoticeSection {
  id: string;
  title: string;
  paragraphs: string[];
  items: NoticeItem[];
}

/** The privacy notice: what the extension records and hides, built from the code's own rule lists. */
export interface PrivacyNotice {
  title: string;
  sections: NoticeSection[];
}

/** The autocomplete tokens that put a field under `rule`, in the code's order. */
function autocompleteTokensOf(rule: MaskRule): string[] {
  return Object.entries(AUTOCOMPLETE_RULES)
    .filter(([, r]) => r === rule)
    .map(([token]) => token);
}

function detailOf(rule: MaskRule): string | undefined {
  const parts: string[] = [];
  const tokens = autocompleteTokensOf(rule);
  if (tokens.length > 0) {
    parts.push(
      `Recognised by the field's autocomplete attribute (${tokens.map((t) => `\`${t}\``).join(', ')}) or by its name and label.`,
    );
  }
  if (Object.hasOwn(TEXT_MASK_TOKENS, rule)) {
    parts.push(`Replaced by \`${TEXT_MASK_TOKENS[rule as keyof typeof TEXT_MASK_TOKENS]}\`.`);
  }
  if (rule === 'private-block') parts.push(`Selector: \`${PRIVATE_BLOCK_SELECTOR}\`.`);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/**
 * The privacy notice of this build. Every event type and mask rule the code knows is listed, in the
 * code's order, with the description the schema gives it (privacy-descriptions.ts): the page and the
 * Markdown copy cannot drift from what the code does.
 */
export function privacyNotice(): PrivacyNotice {
  return {
    title: 'CodeSight Collector: what is recorded and what is hidden',
    sections: [
      {
        id: 'when',
        title: 'When it records',
        paragraphs: [
          'The extension records a browsing session only between Start and Stop in its popup, for the lab that gave you your API key, to train and evaluate web agents. While nothing is being recorded it stores nothing about the pages you visit.',
          'Narration (your microphone) and tab video are recorded only when you switch them on for the session; the browser asks for microphone access the first time.',
        ],
        items: [],
      },
      {
        id: 'recorded',
        title: 'What is recorded',
        paragraphs: [
          'Each of these events is stored with the time, the page address and title, and the tab and frame it happened in:',
        ],
        items: EVENT_TYPES.map((type) => ({ term: type, text: EVENT_TYPE_DESCRIPTIONS[type] })),
      },
      {
        id: 'media',
        title: 'Screenshots, narration and video',
        paragraphs: [
          'Screenshots of the visible tab (on unless you switch them off) are taken around clicks, form submissions and page changes, and when you press the screenshot shortcut. Every area the rules below hide (private areas and fields whose value is not stored, every field in strict mode) is painted over before the image is stored.',
          'Narration is your microphone, recorded in one-second pieces while it is on. Tab video is the visible tab. Neither is analysed in the browser.',
        ],
        items: [],
      },
      {
        id: 'hidden',
        title: 'What is hidden before anything is stored',
        paragraphs: [
          `These rules run in the page, before an event is written anywhere. Where a value is hidden, the event keeps the rule's name and a length class (${LENGTH_CLASSES.map((c) => `\`${c}\``).join(', ')}), never the value.`,
        ],
        items: MASK_RULES.map((rule) => {
          const detail = detailOf(rule);
          return { term: rule, text: MASK_RULE_DESCRIPTIONS[rule], ...(detail ? { detail } : {}) };
        }),
      },
      {
        id: 'modes',
        title: 'Privacy modes',
        paragraphs: ["The lab's server chooses the mode for every worker:"],
        items: PRIVACY_MODES.map((mode) => ({ term: mode, text: PRIVACY_MODE_DESCRIPTIONS[mode] })),
      },
      {
        id: 'where',
        title: 'Where the data goes',
        paragraphs: [
          "Recordings are kept in this browser's extension storage and sent only to the collection server set in the extension (by you, or by your organisation's browser policy): nowhere else, no analytics, no third parties. Exports are written to your Downloads folder only when you ask for one.",
          'The server belongs to the lab that runs the collection; what it keeps and for how long is its policy. Ask it before you record.',
        ],
        items: [],
      },
    ],
  };
}
