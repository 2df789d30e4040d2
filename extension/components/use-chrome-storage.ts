import { useEffect, useState } from 'preact/hooks';

/** The current value of a chrome.storage.local key, updated live as other contexts change it. */
export function useChromeStorage<T>(key: string, parse: (raw: unknown) => T): T | undefined {
  const [value, setValue] = useState<T | undefined>(undefined);
  useEffect(() => {
    let alive = true;
    void chrome.storage.local.get(key).then((items) => alive && setValue(parse(items[key])));
    const onChange = (changes: Record<string, chrome.storage.StorageChange>, area: string) => {
      if (area === 'local' && key in changes) setValue(parse(changes[key]!.newValue));
    };
    chrome.storage.onChanged.addListener(onChange);
    return () => {
      alive = false;
      chrome.storage.onChanged.removeListener(onChange);
    };
    // `parse` is left out on purpose: callers pass a fresh function each render, and resubscribing on
    // every render would refetch the key each time.
  }, [key]);
  return value;
}
