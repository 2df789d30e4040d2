/**
 * The single source of truth for every type that crosses a boundary: storage rows, wire messages and
 * exported formats. Extension and server import these and nothing else for such types.
 */
export * from './limits';
export * from './validate';
export * from './entities/session-id';
export * from './entities/masking';
export * from './entities/privacy-policy';
export * from './entities/target';
export * from './entities/event';
export * from './entities/session';
export * from './entities/media';
export * from './entities/settings';
export * from './formats/legacy-session';
export * from './formats/training-data';
export * from './formats/zip-manifest';
export * from './formats/event-summary';
export * from './formats/legacy-event';
export * from './formats/build-legacy-session';
export * from './formats/legacy-session-chunks';
export * from './formats/build-training-data';
export * from './protocol/errors';
export * from './protocol/legacy';
export * from './protocol/session-metadata';
export * from './protocol/sync';
export * from './protocol/codec';
export * from './protocol/bounded-json';
export * from './core/bounded';
export * from './protocol/result-schema';
export * from './protocol/extension-messages';
export * from './protocol/upload';
export * from './entities/sync-status';
export * from './entities/media-types';
export * from './entities/web-host';
export * from './core/result';
export * from './core/clock';
export * from './entities/sync-state';
export * from './formats/media-timeline';
export * from './entities/microphone-access';
export * from './formats/actions';
export * from './formats/actions-from-events';
export * from './formats/flows/flow-selectors';
export * from './formats/flows/recorder-flow';
export * from './formats/flows/playwright-script';
export * from './formats/dataset-line';
export * from './formats/dataset-line-builder';
export * from './formats/dataset-line-media';
