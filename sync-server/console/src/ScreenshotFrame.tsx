import type { Action, Screenshot } from './api-types';
import { clickPoint } from './timeline';

interface Props {
  action: Action;
  screenshot: Screenshot;
}

/**
 * A screenshot thumbnail (opens the full frame) with the click drawn where it landed. The thumbnail is
 * the server's small WebP (`?size=thumb`; the full frame stands in until the thumbnail job made it).
 * Masked fields are painted over in the image itself by the extension before upload; the caption says so.
 */
export function ScreenshotFrame({ action, screenshot }: Props) {
  const point = clickPoint(action, screenshot);
  // Through this server whatever the blob store (an S3 URL is not readable by the browser).
  const src = `/api/admin/console/sessions/${encodeURIComponent(screenshot.sessionId)}/screenshots/${encodeURIComponent(screenshot.id)}`;
  return (
    <figure class="shot">
      <a href={src} target="_blank" rel="noopener noreferrer">
        <img src={`${src}?size=thumb`} alt={`screenshot (${screenshot.trigger ?? 'periodic'})`} loading="lazy" />
        {point && (
          <span
            class="click-point"
            data-testid="click-point"
            style={{ left: `${point.left}%`, top: `${point.top}%` }}
          />
        )}
      </a>
      <figcaption>sensitive fields are painted over</figcaption>
    </figure>
  );
}
