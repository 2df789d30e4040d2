import { AppDB } from './app-db';

export { AppDB } from './app-db';
export type { BlobRow, DeliveryRow, MediaSyncRow, SyncMetaRow, SyncStateRow } from './app-db';

/** The one database instance of an extension context (background, popup or offscreen document). */
export const db = new AppDB();
