import type { EventType } from './event';
import type { MaskRule } from './masking';
import type { PrivacyMode } from './privacy-policy';

/**
 * Plain-language descriptions of what the extension records and hides, keyed by the same lists the code
 * runs on. The extension's privacy page and docs/privacy-policy.md are rendered from these, so a rule
 * or event type added to the code without a description fails the typecheck (and the test beside the
 * renderer), instead of silently missing from what workers are told.
 */

/** What one mask rule hides, for workers; says what is kept instead. */
export const MASK_RULE_DESCRIPTIONS: Readonly<Record<MaskRule, string>> = {
  password: 'Password fields. Nothing of what is typed is stored.',
  email: 'Email address fields. The value is not stored, only how long it was.',
  phone: 'Telephone number fields. The value is not stored, only how long it was.',
  'card-number': 'Payment card and bank account number fields. The value is not stored, only how long it was.',
  'card-cvc': 'Card security code (CVC/CVV) fields. The value is not stored, only how long it was.',
  'card-expiry': 'Card expiry date fields. The value is not stored, only how long it was.',
  ssn: 'National identity, social security, tax, passport and driving licence number fields. The value is not stored, only how long it was.',
  'one-time-code':
    'One-time codes (SMS, authenticator, verification codes). The value is not stored, only how long it was.',
  'private-block':
    'Anything inside an element the website marks `data-private` or `data-codesight-block`: no text or value from it is stored, and it is painted over in screenshots.',
  'text-email': 'Email addresses found in any stored text (page text, labels, URLs, titles).',
  'text-card-number': 'Payment card numbers (13 to 19 digits passing the Luhn check) found in any stored text.',
  'text-phone': 'Telephone numbers found in any stored text.',
  'text-iban': 'Bank account numbers (IBANs with a valid checksum) found in any stored text.',
  'text-national-id':
    'National identity numbers with a checkable format (such as US social security numbers) found in any stored text.',
  'text-street-address': 'Street addresses found in any stored text.',
  name: "Fields for a person's name (including the name on a card). The value is not stored, only how long it was.",
  'street-address': 'Street address fields. The value is not stored, only how long it was.',
  'postal-code': 'Postal code fields. The value is not stored, only how long it was.',
  birthday: 'Date of birth fields. The value is not stored, only how long it was.',
  strict:
    "Strict mode (when the lab's server asks for it): nothing typed into any field is stored, except in fields such as search boxes, quantities and drop-down choices.",
  'policy-field': "Fields the lab's server names in its privacy policy. The value is not stored, only how long it was.",
  'policy-block':
    "Parts of pages the lab's server names in its privacy policy: treated like `data-private` areas (nothing stored, painted over in screenshots).",
};

/** What one event type records, for workers. */
export const EVENT_TYPE_DESCRIPTIONS: Readonly<Record<EventType, string>> = {
  click:
    'A click: where on the page, on which element (its tag, text, label and a short excerpt of the surrounding page), and which keys were held.',
  dblclick: 'A double click: the same details as a click.',
  contextmenu: 'A right click: the same details as a click.',
  input: 'Typing in a field: the value after masking, once typing pauses.',
  change: 'A changed field (a checkbox ticked, a value committed): the value after masking.',
  select: 'A choice in a drop-down list: the option chosen.',
  submit: 'A form submitted: which form.',
  keydown:
    'Enter, Tab and Escape, and keyboard shortcuts (with Ctrl or Cmd). Characters typed are never recorded one by one.',
  scroll: 'Scrolling: how far down and across the page.',
  hover: 'The pointer resting on an element for a moment: which element and for how long.',
  navigation: 'A page loaded or its address changing: the address (personal values in it masked) and the page before.',
  tab: 'A browser tab opened, switched to or closed: its address and title.',
  resize: 'The browser window resized: its new size.',
  visibility: 'The page hidden or shown again (another tab or window brought forward).',
};

/** What each privacy mode does, for workers. */
export const PRIVACY_MODE_DESCRIPTIONS: Readonly<Record<PrivacyMode, string>> = {
  standard: 'Every rule above applies; other typed text is stored after the free-text detectors have masked it.',
  strict: 'As standard, and nothing typed into a field is stored except in search boxes, quantities and choices.',
};
