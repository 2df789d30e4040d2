/**
 * Free-text detectors for personal data (issue 14), shared by the extension (in the page) and the server
 * (on everything it ingests). Pure functions over strings, no DOM. See docs/privacy.md.
 */
export * from './text-rules';
export * from './email';
export * from './card-number';
export * from './iban';
export * from './phone';
export * from './national-id';
export * from './street-address';
export * from './url-parameters';
export * from './mask-personal-text';
export * from './privacy-report';
export * from './mask-locations';
export * from './count-mask-tokens';
