import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of the static shop pages. */
export const SITE_DIR = fileURLToPath(new URL('./site/', import.meta.url));

/** Paths of the shop's pages, to append to FixtureShop.url. */
export const SHOP_PAGES = {
  /** Product list with a search input. */
  index: '/index.html',
  /** Product page: quantity select, #add-to-cart, Description/Details tabs. */
  product: (id: number) => `/product.html?id=${id}`,
  /** Cart; the checkout button is inside the open shadow root of <shop-checkout-button>. */
  cart: '/cart.html',
  /**
   * Checkout form with every kind of sensitive field; submit shows #thank-you. #gift-card-toggle shows
   * the #payment-frame iframe (loaded with the page, hidden until then).
   */
  checkout: '/checkout.html',
  /** The checkout's payment iframe: one card field, #gift-card-number. */
  paymentFrame: '/payment-frame.html',
  /** ~10 screens long, plus the scrollable #inner-scroll. */
  long: '/long.html',
  /** pushState / replaceState / hash routes rendered into #view. */
  spa: '/spa.html',
  /** Hosts the same-origin iframe #inner-frame. */
  frame: '/frame.html',
  /** The iframe's page, with #zip and #inner-button. */
  frameInner: '/frame-inner.html',
  /**
   * An account page with personal data planted everywhere a privacy review looks (issue 14): free text,
   * link text, a mailto: link, the title, a link's query and fragment, labelled and unlabelled fields.
   */
  account: '/account.html',
} as const;

/** Ids of the products in site/shop.js (keep in sync). */
export const PRODUCT_IDS = [1, 2, 3, 4, 5, 6] as const;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

/** A running fixture shop. */
export interface FixtureShop {
  /** Origin without a trailing slash, e.g. http://127.0.0.1:PORT; append a SHOP_PAGES path. */
  url: string;
  /** Closes the server and drops keep-alive connections. Safe to call twice. */
  stop(): Promise<void>;
}

/** Serves site/ on a free 127.0.0.1 port ("/" is index.html; no caching, so edits show at once). */
export async function startFixtureShop(): Promise<FixtureShop> {
  const siteRoot = SITE_DIR.endsWith(sep) ? SITE_DIR : SITE_DIR + sep;
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const file = normalize(join(siteRoot, pathname === '/' ? 'index.html' : pathname));
      const type = CONTENT_TYPES[extname(file)];
      // The startsWith check keeps "/../" requests inside site/.
      if (!file.startsWith(siteRoot) || !type || (req.method !== 'GET' && req.method !== 'HEAD'))
        throw new Error('not served');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      // Malformed URL, outside site/, unknown type, wrong method or missing file: all a plain 404.
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  };
  // serve() answers every failure itself (a 404), so nothing is left to reject.
  const server = createServer((req, res) => void serve(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections(); // browsers keep connections alive; close() alone would wait for them
    });
    return stopping;
  };
  return { url: `http://127.0.0.1:${port}`, stop };
}
