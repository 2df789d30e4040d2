/** chrome.storage.local key holding the last storage failure (e.g. quota exceeded), shown in the popup. */
export const STORAGE_ERROR_KEY = 'storageError';

let lastReported: string | null | undefined;

/** Records (or clears, with null) the last IndexedDB write failure so the worker sees it. */
export async function reportStorageError(message: string | null): Promise<void> {
  // Called on every write: only touch chrome.storage when the state changes.
  if (message === lastReported) return;
  lastReported = message;
  await chrome.storage.local.set({ [STORAGE_ERROR_KEY]: message === null ? null : { message, at: Date.now() } });
}
