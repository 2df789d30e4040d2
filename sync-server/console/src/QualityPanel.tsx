import type { SessionQuality } from './api-types';
import { qualityFlags } from './quality-flags';

interface Props {
  quality: SessionQuality;
}

/** The session's quality flags, or a line saying there are none. */
export function QualityPanel({ quality }: Props) {
  const flags = qualityFlags(quality);
  return (
    <div class="quality" data-testid="quality">
      <h2>Quality</h2>
      {flags.length === 0 ? (
        <p class="tone-ok">No problems found.</p>
      ) : (
        <ul>
          {flags.map((f) => (
            <li key={f.id} class={f.level === 'warn' ? 'tone-warn' : ''}>
              {f.text}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
