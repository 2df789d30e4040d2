import type { MaskLocation } from './privacy-report';

// Keys by what they hold, in the extension's events and in what legacy clients are known to send.
const URL_KEY = /(?:url|href|src|action|referrer|link|location)$/i;
const TITLE_KEY = /^(?:title|pageTitle|page_title|documentTitle)$/i;
const VALUE_KEY = /^(?:value|values|selectedText|inputValue|newValue|oldValue|typed|typedText|input_value)$/i;
const ATTRIBUTE_KEY =
  /^(?:id|name|classes|className|classList|selector|selectors|css|xpath|aria|shadowPath|framePath|attributes|placeholder|alt|for|dataTestId|testId)$/i;

/**
 * Where a string found under `key` counts, given where its parent counted (array items inherit). The
 * server files what it masks by this, and the extension what it had masked, so both reports agree.
 */
export function locationOfKey(key: string, parent: MaskLocation): MaskLocation {
  if (URL_KEY.test(key)) return 'url';
  if (TITLE_KEY.test(key)) return 'title';
  if (VALUE_KEY.test(key)) return 'value';
  if (ATTRIBUTE_KEY.test(key)) return 'attribute';
  // Keys not named here (a legacy client's own fields, `text`, `heading`, `neighbourhoodHtml`) keep
  // their parent's location: `selectors.text` stays an attribute, a top-level unknown is text.
  return parent;
}

// Events repeat the same few dozen keys: their locations are looked up, not matched against four
// patterns each time; one map per parent location, so a lookup builds no key string. Bounded, since
// legacy clients choose their own keys.
const LOCATION_CACHE: Readonly<Record<MaskLocation, Map<string, MaskLocation>>> = {
  value: new Map(),
  text: new Map(),
  url: new Map(),
  title: new Map(),
  attribute: new Map(),
};
const LOCATION_CACHE_ENTRIES = 256;

/** {@link locationOfKey}, remembered for the first keys seen under each parent location. */
export function cachedLocationOfKey(key: string, parent: MaskLocation): MaskLocation {
  const cache = LOCATION_CACHE[parent];
  let location = cache.get(key);
  if (location === undefined) {
    location = locationOfKey(key, parent);
    if (cache.size < LOCATION_CACHE_ENTRIES) cache.set(key, location);
  }
  return location;
}
