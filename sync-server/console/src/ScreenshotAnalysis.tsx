import type { ScreenshotAnalysis as Analysis } from './api-types';

interface Props {
  analyses: Analysis[];
}

/**
 * What the vision model said about one screenshot, beside its thumbnail. Rendered as text nodes (never
 * as HTML): the answer comes from an outside model that saw whatever the page showed.
 */
export function ScreenshotAnalysis({ analyses }: Props) {
  if (analyses.length === 0) return null;
  return (
    <div class="analysis" data-testid="analysis">
      {analyses.map((a) => (
        <div key={a.model}>
          <p class="analysis-text">{a.text}</p>
          <p class="note">
            {a.servedModel ?? a.model}
            {a.usage ? ` · ${a.usage.totalTokens} tokens` : ''}
            {a.truncated ? ' · cut to fit' : ''}
          </p>
        </div>
      ))}
    </div>
  );
}
