import type { Action, Screenshot, ScreenshotAnalysis as Analysis } from './api-types';
import { ScreenshotAnalysis } from './ScreenshotAnalysis';
import { ScreenshotFrame } from './ScreenshotFrame';
import { clockText } from './timeline';

interface Props {
  action: Action;
  /** Seconds into the narration; undefined without narration. */
  offset: number | undefined;
  current: boolean;
  screenshot: Screenshot | undefined;
  /** The vision model's answers about that screenshot; none when it was not analysed. */
  analyses?: Analysis[] | undefined;
  /** Plays the narration from this action. */
  onSelect: (() => void) | undefined;
}

/** What the action did, in words; a masked value is shown as masked, never as text. */
function describe(action: Action) {
  const target = action.target?.accessibleName ?? action.target?.text ?? action.target?.tag;
  switch (action.operation) {
    case 'navigate':
      return <>navigate to {action.url}</>;
    case 'type':
    case 'select':
      return (
        <>
          {action.operation} into {target ?? 'a field'}:{' '}
          {action.mask ? (
            <span class="masked" data-testid="masked">
              masked ({action.mask.rule}, {action.mask.lengthClass} characters)
            </span>
          ) : (
            <q>{action.selectedText ?? action.value ?? ''}</q>
          )}
        </>
      );
    case 'keypress':
      return <>press {action.key}</>;
    default:
      return (
        <>
          {action.operation} {target ? `on ${target}` : ''}
        </>
      );
  }
}

/** One action of the timeline: time in the narration, description, its screenshot with the click point. */
export function TimelineItem({ action, offset, current, screenshot, analyses, onSelect }: Props) {
  return (
    <li class={current ? 'action current' : 'action'} data-operation={action.operation} aria-current={current}>
      <button type="button" class="at" disabled={!onSelect} onClick={onSelect} title="Play the narration from here">
        {offset === undefined ? `#${action.index + 1}` : clockText(offset)}
      </button>
      <span class="what">
        {describe(action)}
        {!action.target?.selectors.css && ['click', 'type', 'select'].includes(action.operation) && (
          <span class="tone-warn"> (element not resolved at capture)</span>
        )}
      </span>
      {screenshot && <ScreenshotFrame action={action} screenshot={screenshot} />}
      {screenshot && analyses && <ScreenshotAnalysis analyses={analyses} />}
    </li>
  );
}
