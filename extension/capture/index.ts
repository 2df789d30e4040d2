/**
 * Page capture: turns DOM events of one window (any frame, open shadow roots included) into masked
 * `CapturedEvent`s. Pure DOM code, no extension APIs: the content script wires it to the background.
 */
export { startPageCapture, type PageCapture, type PageCaptureOptions } from './page-capture';
export {
  buildSelectorSet,
  buildAriaSelector,
  buildTextSelector,
  buildCssSelector,
  buildXPath,
  matchesOnly,
  positionalPath,
  TEST_ATTRIBUTES,
  MAX_SELECTOR_TEXT,
} from './selectors';
export {
  accessibleName,
  getRole,
  implicitRole,
  labelTexts,
  MAX_NAME_LENGTH,
  type AccessibleNameOptions,
} from './accessible-name';
export {
  maskInputValue,
  maskText,
  maskTextDetailed,
  MASKING_POLICY,
  lengthClassOf,
  isSensitiveField,
  luhnValid,
  classifyField,
  fieldDescriptors,
  normalizeDescriptor,
  isInPrivateBlock,
  PRIVATE_BLOCK_SELECTOR,
  EMAIL_TOKEN,
  CARD_TOKEN,
  type MaskedValue,
  type MaskedText,
  type FieldRule,
} from './masking';
export {
  describeTarget,
  describeContext,
  analyzeElement,
  actionableTarget,
  interactiveAncestor,
  eventElement,
  boundingBoxOf,
  shadowPathOf,
  framePathOf,
  isDisabled,
  isEditable,
  MASKED_TEXT,
  INTERACTIVE_SELECTOR,
  nearestHeadingText,
} from './describe-target';
export { isVisibleAt, deepElementFromPoint } from './is-visible';
export {
  createKeyedThrottle,
  createDwellTimer,
  createSettleDebouncer,
  type KeyedThrottle,
  type DwellTimer,
  type SettleDebouncer,
} from './throttle';
export {
  watchNavigation,
  classify as classifyUrlChange,
  URL_POLL_MS,
  type NavigationWatcher,
  type UrlChangeKind,
} from './navigation-watcher';
export { isRecordableKey } from './key-capture';
export { RESIZE_THROTTLE_MS } from './scroll-capture';
export { cssEscape, cssEscapePolyfill, cssString, xpathString } from './escape';
export { isStableId, isStableClass, isStableAttrValue, looksGenerated } from './stable-tokens';
export { visibleText, type VisibleTextOptions } from './visible-text';
