import type { CapturedEvent, ElementAnalysis, ElementContext, Modifiers, Target, Viewport } from '@codesight/schema';
import { seededRandom } from './seeded-random';

/**
 * A synthetic but realistic recorded shopping session, for the sync bench. The fixtures in
 * `@codesight/schema/testing` repeat 15 identical samples, which gzip far better than anything a worker
 * records; this walks a worker through several shops instead: searches, result pages, product pages,
 * cart and checkout, with a fresh URL (tracking parameters included), page title, element pool,
 * coordinates, scroll offsets and typed values on every page, in the proportions and at the rhythm the
 * capture layer produces them (scrolls throttled at 200 ms, hovers after a 1 s dwell, settled inputs,
 * only Enter/Escape/Tab keydowns). Deterministic for a given seed.
 */
export interface ShoppingSessionOptions {
  /** Number of events to produce. */
  events: number;
  /** PRNG seed; the same seed gives the same session. */
  seed?: number;
  /** Epoch ms of the first event. */
  startTime?: number;
}

const SHOPS = [
  {
    host: 'www.shopnova.example',
    brand: 'ShopNova',
    product: (slug: string, id: string) => `/${slug}/dp/${id}`,
    search: '/s',
  },
  {
    host: 'www.marketly.example',
    brand: 'Marketly',
    product: (slug: string, id: string) => `/ip/${slug}/${id}`,
    search: '/search',
  },
  {
    host: 'shop.homegoods.example',
    brand: 'HomeGoods',
    product: (slug: string, id: string) => `/products/${slug}-${id.toLowerCase()}`,
    search: '/search',
  },
  {
    host: 'www.craftbay.example',
    brand: 'CraftBay',
    product: (slug: string, id: string) => `/listing/${id}/${slug}`,
    search: '/search',
  },
] as const;
type Shop = (typeof SHOPS)[number];

const ADJECTIVES = [
  'Ceramic',
  'Stainless Steel',
  'Bamboo',
  'Insulated',
  'Vintage',
  'Handmade',
  'Compact',
  'Foldable',
  'Wireless',
  'Organic',
  'Heavy Duty',
  'Non-Stick',
  'Waterproof',
  'Ergonomic',
  'Cotton',
];
const NOUNS = [
  'Coffee Mug',
  'Water Bottle',
  'Cutting Board',
  'Desk Lamp',
  'Throw Blanket',
  'Frying Pan',
  'Backpack',
  'Phone Stand',
  'Bath Towel Set',
  'Storage Basket',
  'Tea Kettle',
  'Yoga Mat',
  'Plant Pot',
  'Wall Clock',
  'Headphones',
];
const COLOURS = [
  'Navy Blue',
  'Matte Black',
  'Sage Green',
  'Terracotta',
  'White',
  'Charcoal',
  'Blush Pink',
  'Natural Wood',
  'Mustard Yellow',
];
const SIZES = ['12 oz', '16 oz', '20 oz', 'Set of 2', 'Set of 4', 'Large', 'Medium', '10 inch', '32 oz', 'Queen'];
const HEADINGS = [
  'Results',
  'Customers also bought',
  'Product details',
  'Top reviews',
  'Shopping cart',
  'Delivery address',
  'Payment method',
  'Related items',
  'Sponsored',
  'Frequently bought together',
];
const LANDMARKS = [
  { role: 'main', selector: 'main' },
  { role: 'navigation', selector: '#nav-main' },
  { role: 'banner', selector: 'header' },
  { role: 'complementary', selector: 'aside.filters' },
  { role: 'contentinfo', selector: 'footer' },
];
const VIEWPORTS: Viewport[] = [
  { width: 1366, height: 657, devicePixelRatio: 1 },
  { width: 1920, height: 969, devicePixelRatio: 1 },
  { width: 1536, height: 730, devicePixelRatio: 1.25 },
  { width: 1440, height: 789, devicePixelRatio: 2 },
];
const NO_MODIFIERS: Modifiers = { alt: false, ctrl: false, meta: false, shift: false };

interface PageElement {
  target: Target;
  context: ElementContext;
  analysis: ElementAnalysis;
  kind: 'link' | 'button' | 'field' | 'select' | 'checkbox' | 'text';
}

interface Page {
  url: string;
  title: string;
  scrollHeight: number;
  elements: PageElement[];
  fields: PageElement[];
}

/** Builds one generator run; split into closures so every helper shares the PRNG. */
function createGenerator(random: () => number) {
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chars = (alphabet: string, n: number) =>
    Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  const upperId = (n: number) => chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', n);
  const lowerId = (n: number) => chars('abcdefghijklmnopqrstuvwxyz0123456789', n);
  const slugOf = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');

  const productName = () => `${pick(ADJECTIVES)} ${pick(NOUNS)}, ${pick(SIZES)}, ${pick(COLOURS)}`;
  const price = () => `$${int(4, 189)}.${pick(['99', '49', '95', '00', '29'])}`;

  const tracking = () =>
    `ref=${pick(['sr', 'nb_sb', 'pd_sbs', 'sspa'])}_${int(1, 48)}_${int(1, 9)}&qid=${1_752_000_000 + int(0, 999_999)}&sr=8-${int(1, 60)}&pf_rd_p=${lowerId(8)}-${lowerId(4)}-${lowerId(4)}`;

  const element = (
    kind: PageElement['kind'],
    label: string,
    index: number,
    extra: Partial<Target> = {},
  ): PageElement => {
    const x = int(8, 1300);
    const y = int(60, 5800);
    const width = kind === 'field' ? int(180, 520) : int(40, 360);
    const height = kind === 'text' ? int(18, 120) : int(24, 56);
    const tag = {
      link: 'a',
      button: 'button',
      field: 'input',
      select: 'select',
      checkbox: 'input',
      text: pick(['span', 'div', 'h2', 'p']),
    }[kind];
    const role = {
      link: 'link',
      button: 'button',
      field: 'textbox',
      select: 'combobox',
      checkbox: 'checkbox',
      text: undefined,
    }[kind];
    const id = random() < 0.35 ? `${slugOf(label).slice(0, 24)}-${lowerId(4)}` : undefined;
    const testId = random() < 0.3 ? `${kind}-${index}` : undefined;
    const classes = [
      ...new Set(
        Array.from({ length: int(0, 5) }, () =>
          pick([
            'a-link-normal',
            's-underline-text',
            'btn',
            'btn-primary',
            'product-tile',
            'price',
            'a-size-base-plus',
            'sc-1x8k2',
            'css-7yt0ab',
            'grid-item',
            'card__title',
            'is-active',
          ]),
        ),
      ),
    ];
    const depth = int(6, 14);
    const xpathSteps = Array.from(
      { length: depth },
      () => `${pick(['div', 'div', 'div', 'span', 'section', 'li', 'ul'])}[${int(1, 12)}]`,
    );
    const css = id
      ? `#${id}`
      : testId
        ? `[data-testid="${testId}"]`
        : `${pick(['main', '#search', '.s-main-slot', '#dp-container'])} > div:nth-child(${int(1, 40)}) > ${tag}${classes[0] ? `.${classes[0]}` : ''}`;
    const short = label.length <= 40;
    const target: Target = {
      tag,
      ...(id && { id }),
      classes,
      ...(role && { role }),
      ...(kind !== 'field' && kind !== 'select' && { text: label.slice(0, 200) }),
      ...(role && { accessibleName: label.slice(0, 120) }),
      boundingBox: { x, y, width, height },
      shadowPath: [],
      framePath: [],
      selectors: {
        css,
        xpath: id ? `//*[@id="${id}"]` : `/html/body/${xpathSteps.join('/')}/${tag}`,
        ...(role && { aria: `role=${role}[name="${label.slice(0, 60).replaceAll('"', '\\"')}"]` }),
        ...(short && kind !== 'field' && kind !== 'select' && { text: `text=${label}` }),
      },
      ...extra,
    };
    const context: ElementContext = {
      landmark: pick(LANDMARKS),
      ...(random() < 0.7 && { heading: pick(HEADINGS) }),
      ...(kind === 'field' || kind === 'checkbox' || kind === 'select'
        ? {
            form: {
              selector: pick(['#nav-search-bar-form', 'form.checkout', '#address-form', 'form[name="filters"]']),
              action: '/checkout/address',
            },
          }
        : {}),
    };
    const analysis: ElementAnalysis = {
      isInteractive: kind !== 'text',
      isDisabled: random() < 0.02,
      isEditable: kind === 'field',
      isInShadowDom: random() < 0.05,
      isInIframe: false,
    };
    return { target, context, analysis, kind };
  };

  const page = (shop: Shop, kind: 'search' | 'product' | 'cart' | 'checkout', query: string): Page => {
    const name = productName();
    const url =
      kind === 'search'
        ? `https://${shop.host}${shop.search}?k=${encodeURIComponent(query).replaceAll('%20', '+')}&crid=${upperId(13)}&sprefix=${encodeURIComponent(query.slice(0, 6))}&${tracking()}`
        : kind === 'product'
          ? `https://${shop.host}${shop.product(slugOf(name), `B0${upperId(8)}`)}?${tracking()}&th=1&psc=1`
          : kind === 'cart'
            ? `https://${shop.host}/cart?ref_=nav_cart&session-id=${int(100, 999)}-${int(1_000_000, 9_999_999)}`
            : `https://${shop.host}/checkout/${pick(['address', 'payment', 'review'])}?cartId=${lowerId(24)}`;
    const title =
      kind === 'search'
        ? `${shop.brand}: ${query}`
        : kind === 'product'
          ? `${name} : ${shop.brand}`
          : kind === 'cart'
            ? `${shop.brand} Shopping Cart`
            : `Checkout - ${shop.brand}`;
    const elements: PageElement[] = [];
    const count = int(25, 70);
    for (let i = 0; i < count; i++) {
      const r = random();
      if (r < 0.45) {
        const label = productName();
        elements.push(
          element('link', `${label} ${price()}`, i, {
            href: `https://${shop.host}${shop.product(slugOf(label), `B0${upperId(8)}`)}?${tracking()}`,
          }),
        );
      } else if (r < 0.6)
        elements.push(
          element(
            'button',
            pick([
              'Add to cart',
              'Buy now',
              'See all buying options',
              'Next',
              'Apply',
              'Proceed to checkout',
              'Save for later',
              'Delete',
              `Sort by: ${pick(['Featured', 'Price: Low to High', 'Avg. Customer Review'])}`,
            ]),
            i,
          ),
        );
      else if (r < 0.72)
        elements.push(
          element(
            'checkbox',
            pick(['Free shipping', '4 stars & up', 'Prime', 'In stock', `Under $${int(10, 80)}`, pick(COLOURS)]),
            i,
            { type: 'checkbox' },
          ),
        );
      else if (r < 0.8) elements.push(element('select', pick(['Quantity', 'Size', 'Colour', 'Sort by']), i));
      else
        elements.push(
          element(
            'text',
            pick([
              `${int(1, 5)}.${int(0, 9)} out of 5 stars`,
              `${int(2, 9)},${int(100, 999)} ratings`,
              name,
              `FREE delivery ${pick(['Mon', 'Tue', 'Wed', 'Thu', 'Fri'])}, ${pick(['Jul', 'Aug'])} ${int(1, 28)}`,
              price(),
            ]),
            i,
          ),
        );
    }
    const fields = [
      element('field', 'Search', 0, {
        name: 'field-keywords',
        type: 'text',
        id: 'twotabsearchtextbox',
        selectors: { css: '#twotabsearchtextbox', xpath: '//*[@id="twotabsearchtextbox"]' },
      }),
      ...(kind === 'checkout'
        ? ['Full name', 'Street address', 'City', 'ZIP Code', 'Email', 'Phone number', 'Card number'].map((label, i) =>
            element('field', label, i + 1, {
              name: slugOf(label),
              type: label === 'Email' ? 'email' : label === 'Phone number' ? 'tel' : 'text',
            }),
          )
        : []),
    ];
    return { url, title, scrollHeight: int(2400, 14_000), elements, fields };
  };

  return { int, pick, page, productName };
}

/**
 * Generates `events` captured events of one worker's shopping session (see the file comment for what
 * makes it realistic). Callers give them sequences by writing them to a store.
 */
export function generateShoppingSession(options: ShoppingSessionOptions): CapturedEvent[] {
  const random = seededRandom(options.seed ?? 1);
  const g = createGenerator(random);
  const out: CapturedEvent[] = [];
  let now = options.startTime ?? 1_752_327_000_000;
  let viewport = g.pick(VIEWPORTS);
  let tabId = g.int(1_000_000_000, 1_900_000_000);
  let previousUrl: string | undefined;

  while (out.length < options.events) {
    const shop = g.pick(SHOPS);
    const query = `${g.pick(ADJECTIVES).toLowerCase()} ${g.pick(NOUNS).toLowerCase()}${random() < 0.4 ? ` ${g.pick(COLOURS).toLowerCase()}` : ''}`;
    // One shopping trip: search, a few products, sometimes the cart and checkout.
    const kinds: ('search' | 'product' | 'cart' | 'checkout')[] = ['search'];
    for (let i = g.int(1, 5); i > 0; i--) kinds.push(random() < 0.25 ? 'search' : 'product');
    if (random() < 0.5) kinds.push('cart', ...(random() < 0.6 ? (['checkout', 'checkout'] as const) : []));

    for (const kind of kinds) {
      const p = g.page(shop, kind, query);
      const common = () => ({ timestamp: now, url: p.url, title: p.title, tabId, frameId: 0 });
      const push = (event: CapturedEvent) => {
        if (out.length < options.events) out.push(event);
      };
      let scrollY = 0;
      now += g.int(300, 2500);
      push({
        type: 'navigation',
        ...common(),
        navigationType: previousUrl && random() < 0.3 ? 'push_state' : 'load',
        ...(previousUrl && { fromUrl: previousUrl }),
      });
      previousUrl = p.url;

      // A scroll gesture: one event per 200 ms throttle window while the wheel turns, towards `goal`.
      const scrollTo = (goal: number) => {
        const end = Math.max(0, Math.min(p.scrollHeight - viewport.height, goal));
        const steps = Math.min(6, Math.max(1, Math.ceil(Math.abs(end - scrollY) / g.int(400, 1200))));
        for (let n = 1; n <= steps; n++) {
          now += g.int(200, 260);
          const y = n === steps ? end : Math.round(scrollY + ((end - scrollY) * n) / steps);
          push({
            type: 'scroll',
            ...common(),
            scrollX: 0,
            scrollY: y,
            scrollWidth: viewport.width,
            scrollHeight: p.scrollHeight,
            viewport,
          });
        }
        scrollY = end;
      };
      // The worker reaches an element by scrolling it into view first, unless it already is.
      // Mostly something already on screen; now and then something further down or up the page.
      const choose = (): PageElement => {
        const visible = p.elements.filter(
          (e) => e.target.boundingBox.y >= scrollY && e.target.boundingBox.y < scrollY + viewport.height,
        );
        return visible.length > 0 && random() < 0.75 ? g.pick(visible) : g.pick(p.elements);
      };
      const reach = (el: PageElement) => {
        const y = el.target.boundingBox.y;
        if (y < scrollY || y > scrollY + viewport.height - 60) scrollTo(y - g.int(60, viewport.height - 120));
      };

      for (let action = g.int(8, 40); action > 0 && out.length < options.events; action--) {
        const r = random();
        if (r < 0.2) {
          scrollTo(scrollY + g.int(-600, 1800));
        } else if (r < 0.55) {
          const el = choose();
          reach(el);
          const box = el.target.boundingBox;
          now += g.int(1000, 4000);
          push({
            type: 'hover',
            ...common(),
            coordinates: { x: box.x + g.int(0, box.width), y: Math.max(0, box.y - scrollY + g.int(0, box.height)) },
            dwellMs: g.int(1000, 6000),
            target: el.target,
            context: el.context,
            elementAnalysis: el.analysis,
          });
        } else if (r < 0.82) {
          const el = choose();
          reach(el);
          const box = el.target.boundingBox;
          const offsetX = g.int(0, box.width);
          const offsetY = g.int(0, box.height);
          const x = box.x + offsetX;
          const y = Math.max(0, box.y - scrollY + offsetY);
          now += g.int(150, 3000);
          const type = random() < 0.03 ? 'dblclick' : random() < 0.02 ? 'contextmenu' : 'click';
          push({
            type,
            ...common(),
            coordinates: { x, y },
            pageX: x,
            pageY: y + scrollY,
            offsetX,
            offsetY,
            viewport,
            modifiers: random() < 0.04 ? { ...NO_MODIFIERS, ctrl: true } : NO_MODIFIERS,
            button: type === 'contextmenu' ? 2 : 0,
            isVisible: random() > 0.03,
            target: el.target,
            context: el.context,
            elementAnalysis: el.analysis,
          });
          if (el.kind === 'checkbox')
            push({ type: 'change', ...common(), target: el.target, context: el.context, checked: random() < 0.7 });
          if (el.kind === 'select') {
            const choice = g.pick(['1', '2', '3', 'Small', 'Large', 'Price: Low to High', g.pick(COLOURS)]);
            push({
              type: 'select',
              ...common(),
              target: el.target,
              context: el.context,
              value: choice,
              selectedText: choice,
            });
          }
        } else if (r < 0.95) {
          // Typing into a field, recorded as one settled input (and a change on blur), masked where the rules say.
          const field = g.pick(p.fields);
          const label = field.target.accessibleName ?? '';
          now += g.int(800, 9000);
          const masked =
            label === 'Email'
              ? { rule: 'email' as const, lengthClass: '13-32' as const }
              : label === 'Card number'
                ? { rule: 'card-number' as const, lengthClass: '13-32' as const }
                : label === 'Phone number'
                  ? { rule: 'phone' as const, lengthClass: '5-12' as const }
                  : undefined;
          const value =
            label === 'Search'
              ? `${query}${random() < 0.3 ? ` ${g.pick(SIZES).toLowerCase()}` : ''}`
              : label === 'Full name'
                ? g.pick(['Alex Morgan', 'Sam Rivera', 'Jordan Lee', 'Casey Kim'])
                : label === 'Street address'
                  ? `${g.int(1, 9999)} ${g.pick(['Oak', 'Maple', 'Cedar', 'Elm', 'Pine'])} ${g.pick(['St', 'Ave', 'Rd', 'Blvd'])}`
                  : label === 'City'
                    ? g.pick(['Springfield', 'Riverside', 'Fairview', 'Madison'])
                    : String(g.int(10_000, 99_999));
          const valueFields = masked ? { mask: masked } : { value };
          push({ type: 'input', ...common(), target: field.target, context: field.context, ...valueFields });
          if (random() < 0.5)
            push({ type: 'change', ...common(), target: field.target, context: field.context, ...valueFields });
          if (label === 'Search' || random() < 0.2) {
            now += g.int(100, 600);
            const key = label === 'Search' ? 'Enter' : g.pick(['Tab', 'Enter', 'Escape']);
            push({ type: 'keydown', ...common(), key, code: key, modifiers: NO_MODIFIERS, target: field.target });
          }
          if (label === 'Search' && random() < 0.5) {
            push({
              type: 'submit',
              ...common(),
              target: {
                ...field.target,
                tag: 'form',
                selectors: { css: '#nav-search-bar-form', xpath: '//*[@id="nav-search-bar-form"]' },
              },
              context: {},
            });
          }
        } else {
          // Tab switches, window resizes and the tab going to the background now and then.
          now += g.int(500, 20_000);
          const which = random();
          if (which < 0.45) {
            push({ type: 'visibility', ...common(), state: 'hidden' });
            now += g.int(2000, 90_000);
            push({ type: 'visibility', ...common(), state: 'visible' });
          } else if (which < 0.8) {
            const action = g.pick(['activated', 'created'] as const);
            const opener = tabId;
            if (action === 'created') tabId = g.int(1_000_000_000, 1_900_000_000);
            push({ type: 'tab', ...common(), action, ...(action === 'created' && { openerTabId: opener }) });
          } else {
            viewport = g.pick(VIEWPORTS);
            push({ type: 'resize', ...common(), viewport });
          }
        }
      }
    }
  }
  return out;
}
