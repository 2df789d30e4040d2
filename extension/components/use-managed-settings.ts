import { useEffect, useState } from 'preact/hooks';
import { managedArea, readManagedSettings, type ManagedSettings } from '../settings/managed-settings';

/** The organisation's managed settings (chrome.storage.managed), updated live when the policy changes. */
export function useManagedSettings(): ManagedSettings {
  const [managed, setManaged] = useState<ManagedSettings>({});
  useEffect(() => {
    let alive = true;
    const read = () => void readManagedSettings(managedArea()).then((m) => alive && setManaged(m));
    read();
    const onChange = (_changes: unknown, area: string) => {
      if (area === 'managed') read();
    };
    chrome.storage.onChanged.addListener(onChange);
    return () => {
      alive = false;
      chrome.storage.onChanged.removeListener(onChange);
    };
  }, []);
  return managed;
}
