/**
 * Page capture: turns DOM events of one window (any frame, open shadow roots included) into masked
 * `CapturedEvent`s. Pure DOM code, no extension APIs: the content script wires it to the background,
 * which records the masking policy in force on each session.
 */
export { startPageCapture, type PageCapture, type PageCaptureOptions } from './page-capture';
export { MASKING_POLICY, maskingPolicyFor } from './masking';
export { applyPrivacyPolicy } from './privacy-policy';
