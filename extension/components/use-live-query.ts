import { liveQuery } from 'dexie';
import { useEffect, useState } from 'preact/hooks';

/**
 * Subscribes a component to a Dexie query; it re-renders whenever the data changes, including writes
 * made by the background service worker (Dexie propagates changes across same-origin contexts).
 */
export function useLiveQuery<T>(query: () => Promise<T> | T, deps: unknown[], initial: T): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    const subscription = liveQuery(query).subscribe({
      next: setValue,
      error: (err) => console.error('live query failed', err),
    });
    return () => subscription.unsubscribe();
    // The caller's `deps` decide when the query is resubscribed, as with useMemo; `query` is a fresh closure
    // each render and would resubscribe every time.
  }, deps);
  return value;
}
