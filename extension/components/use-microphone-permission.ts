import { useEffect, useState } from 'preact/hooks';

/**
 * The browser's microphone permission for the extension, kept current when the worker changes it (prompt
 * answered, site settings edited). `undefined` while asking; null where the browser cannot tell.
 */
export function useMicrophonePermission(): PermissionState | null | undefined {
  const [state, setState] = useState<PermissionState | null | undefined>(undefined);
  useEffect(() => {
    let alive = true;
    let status: PermissionStatus | null = null;
    const onChange = () => {
      if (alive && status) setState(status.state);
    };
    navigator.permissions.query({ name: 'microphone' }).then(
      (s) => {
        if (!alive) return;
        status = s;
        setState(s.state);
        s.addEventListener('change', onChange);
      },
      () => alive && setState(null),
    );
    return () => {
      alive = false;
      status?.removeEventListener('change', onChange);
    };
  }, []);
  return state;
}
