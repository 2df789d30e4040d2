import type { Action, Screenshot } from './api-types';
import { clickPoint } from './timeline';

interface Props {
  action: Action;
  screenshot: Screenshot;
}

/**
 * A screenshot thumbnail (opens full size) with the click drawn where it landed. Masked fields are
 * painted over in the image itself by the extension before upload; the caption says so.
 */
export function ScreenshotFrame({ action, screenshot }: Props) {
  const point = clickPoint(action, screenshot);
  return (
    <figure class="shot">
      <a href={screenshot.url} target="_blank" rel="noopener noreferrer">
        <img src={screenshot.url} alt={`screenshot (${screenshot.trigger ?? 'periodic'})`} loading="lazy" />
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
