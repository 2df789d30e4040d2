import type { PrivacyNotice as Notice } from '../privacy-notice/privacy-notice';

/** Text with `code` spans, as the notice writes them. */
function Inline({ text }: { text: string }) {
  const parts = text.split('`');
  return <>{parts.map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part))}</>;
}

/** The privacy notice as a page: sections, paragraphs and definition lists. */
export function PrivacyNotice({ notice }: { notice: Notice }) {
  return (
    <main>
      <h1>{notice.title}</h1>
      {notice.sections.map((section) => (
        <section key={section.id} id={section.id}>
          <h2>{section.title}</h2>
          {section.paragraphs.map((p, i) => (
            <p key={i}>
              <Inline text={p} />
            </p>
          ))}
          {section.items.length > 0 && (
            <dl>
              {section.items.map((item) => (
                <div key={item.term} data-term={item.term}>
                  <dt>
                    <code>{item.term}</code>
                  </dt>
                  <dd>
                    <Inline text={item.text} />
                    {item.detail && (
                      <>
                        {' '}
                        <Inline text={item.detail} />
                      </>
                    )}
                  </dd>
                </div>
              ))}
            </dl>
          )}
        </section>
      ))}
    </main>
  );
}
