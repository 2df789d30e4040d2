import { useRef, useState } from 'preact/hooks';
import type { IssuedKey } from './api-types';

interface Props {
  issued: IssuedKey;
  onDismiss: () => void;
}

/** A new API key, shown this once (the server keeps only its hash), with a copy button. */
export function NewKeyNotice({ issued, onDismiss }: Props) {
  const [copied, setCopied] = useState<'yes' | 'select' | null>(null);
  const field = useRef<HTMLInputElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(issued.apiKey);
      setCopied('yes');
    } catch {
      // No clipboard permission: select the key so Ctrl+C copies it.
      field.current?.select();
      setCopied('select');
    }
  };
  return (
    <div class="notice" role="status" data-testid="new-key">
      <p>
        New API key{issued.name ? ` for ${issued.name}` : ''}. It is shown only now: copy it into the worker's extension
        settings.
      </p>
      <input ref={field} class="key" readOnly value={issued.apiKey} onFocus={(e) => e.currentTarget.select()} />
      <button type="button" onClick={() => void copy()}>
        Copy
      </button>
      {copied === 'yes' && <span> Copied.</span>}
      {copied === 'select' && <span> Selected: press Ctrl+C.</span>}
      <button type="button" onClick={onDismiss}>
        Done
      </button>
    </div>
  );
}
