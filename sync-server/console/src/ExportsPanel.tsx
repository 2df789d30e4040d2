import { ArchiveExport } from './ArchiveExport';

interface Props {
  sessionId: string;
}

/** Every export of the session as a download, and the archive, which is built by a background job. */
export function ExportsPanel({ sessionId }: Props) {
  const id = encodeURIComponent(sessionId);
  const downloads = [
    ['Legacy session JSON', `/api/extension/sessions/${id}/data`, `${sessionId}.json`],
    ['Training data', `/api/extension/sessions/${id}/training-data`, `${sessionId}-training.json`],
    ['JSONL dataset', `/api/admin/sessions/${id}/dataset.jsonl`, `${sessionId}.jsonl`],
    ['Recorder flow', `/api/admin/sessions/${id}/flow.json`, `${sessionId}-flow.json`],
    ['Playwright script', `/api/admin/sessions/${id}/flow.spec.ts`, `${sessionId}.spec.ts`],
  ] as const;
  return (
    <div class="exports">
      <h2>Exports</h2>
      <p>
        {downloads.map(([label, href, file]) => (
          <a key={href} class="button" href={href} download={file}>
            {label}
          </a>
        ))}
      </p>
      <ArchiveExport sessionId={sessionId} />
    </div>
  );
}
