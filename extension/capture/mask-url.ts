import { LIMITS, STRICT_ALLOWED } from '@codesight/schema';
import { maskText } from './mask-text';
import { normalizeDescriptor } from './normalize-descriptor';
import { appliedPrivacyPolicy } from './privacy-policy';
import { truncate } from './text';

const STRICT_URL_KEYS: ReadonlySet<string> = new Set(STRICT_ALLOWED.urlKeys);

/**
 * Only this much of a URL is looked at: what is stored is capped at {@link LIMITS.url}, and a `data:` URL
 * may run to megabytes. Twice the cap leaves the detectors room to see a value cut by the cap whole.
 */
const MAX_URL_SCAN = 2 * LIMITS.url;

/**
 * A URL as stored (page, referrer, link, form action): the privacy policy's parameter rules, then the
 * shared free-text detectors (which also decode parts and take personal keys like `?email=`), capped.
 * The policy's rules, for each `key=value` of the query and of a `#k=v` fragment:
 * - a key named like one of the deployment's field names: the value becomes `[policy-field]`;
 * - strict mode: a key not among the navigation and search keys strict keeps (schema's
 *   `STRICT_ALLOWED.urlKeys`): `[strict]`, since a form sent with GET carries what was typed.
 */
export function maskUrl(url: string): string {
  return truncate(maskText(maskUrlParameters(url.slice(0, MAX_URL_SCAN))), LIMITS.url);
}

/** The policy's parameter rules alone (see {@link maskUrl}). */
export function maskUrlParameters(url: string): string {
  const { policy, maskFieldPattern } = appliedPrivacyPolicy();
  const strict = policy.mode === 'strict';
  if (!strict && !maskFieldPattern) return url;
  const query = url.indexOf('?');
  const hash = url.indexOf('#');
  if (query < 0 && hash < 0) return url;
  const ruleOf = (key: string): string | undefined => {
    const name = normalizeDescriptor(safeDecode(key.replace(/\+/g, ' ')));
    if (maskFieldPattern?.test(name)) return 'policy-field';
    if (strict && !STRICT_URL_KEYS.has(name.replace(/[^\p{L}\p{N}]/gu, ''))) return 'strict';
    return undefined;
  };
  const maskPairs = (part: string): string =>
    part
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq <= 0 || eq === pair.length - 1) return pair;
        const rule = ruleOf(pair.slice(0, eq));
        return rule ? `${pair.slice(0, eq)}=[${rule}]` : pair;
      })
      .join('&');
  const queryEnd = hash >= 0 ? hash : url.length;
  let out =
    query >= 0 && query < queryEnd
      ? url.slice(0, query + 1) + maskPairs(url.slice(query + 1, queryEnd))
      : url.slice(0, queryEnd);
  if (hash >= 0) {
    const fragment = url.slice(hash + 1);
    out += `#${fragment.includes('=') ? maskPairs(fragment) : fragment}`;
  }
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
