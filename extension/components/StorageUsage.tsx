import { useEffect, useState } from 'preact/hooks';
import { formatBytes } from './format';

/** How much the recordings take on disk, whether the browser may evict them, and the last write failure. */
export function StorageUsage({ storageError }: { storageError: { message: string; at: number } | null | undefined }) {
  const [estimate, setEstimate] = useState<{ usage: number; quota: number } | null>(null);
  const [persisted, setPersisted] = useState<boolean | null>(null);

  useEffect(() => {
    const refresh = async () => {
      const e = await navigator.storage.estimate();
      setEstimate({ usage: e.usage ?? 0, quota: e.quota ?? 0 });
      setPersisted(await navigator.storage.persisted());
    };
    void navigator.storage.persist().finally(refresh);
    const timer = setInterval(() => void refresh(), 3000);
    return () => clearInterval(timer);
  }, []);

  return (
    <footer class="storage">
      <span id="storage-used">
        {estimate ? `${formatBytes(estimate.usage)} used of ${formatBytes(estimate.quota)}` : 'Measuring storage…'}
      </span>
      {persisted === false && <span class="warn"> · storage may be cleared by the browser</span>}
      {storageError && (
        <p role="alert" class="error">
          Saving failed: {storageError.message}. Events are kept in the page and retried; free disk space.
        </p>
      )}
    </footer>
  );
}
