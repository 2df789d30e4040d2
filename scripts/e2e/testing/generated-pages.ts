import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The two pages the capture bench clicks on (and capture-heavy-page.test.ts records), generated, no files: a small shop list and a heavy grid of
 * tens of thousands of nodes made the way large real pages are — no ids, the same few classes and the same
 * texts thousands of times — which is what makes a selector's uniqueness expensive to establish. Both pages
 * toggle a class on click, as real pages do, so recorders that watch mutations have some to watch.
 */

/** Which bench page. */
export type BenchPageName = 'small' | 'heavy';

// The pages: a 400-row list, and 3,000 cards of ~20 nodes (~60k nodes).
const SMALL_ROWS = 400;
const HEAVY_CARDS = 3_000;

const SCRIPT = `<script>
document.addEventListener('click', (event) => {
  const item = event.target.closest && event.target.closest('.card, .row');
  if (item) item.classList.toggle('picked');
});
</script>`;

const STYLE = `<style>
body { font: 14px sans-serif; margin: 0; }
.toolbar { position: sticky; top: 0; background: #eee; padding: 8px; }
.grid { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; padding: 8px; }
.card { border: 1px solid #ccc; padding: 6px; }
.card .meta span { margin-right: 4px; }
.row { display: flex; gap: 8px; padding: 4px 8px; border-bottom: 1px solid #ddd; }
.picked { background: #ffd; }
</style>`;

function smallPage(): string {
  const rows: string[] = [];
  for (let i = 0; i < SMALL_ROWS; i++) {
    rows.push(
      `<li class="row"><span class="name">Item ${i + 1}</span><span class="price">$${(i % 50) + 5}.99</span>` +
        `<button class="add" type="button">Add</button><a class="more" href="#item-${i + 1}">Details</a></li>`,
    );
  }
  return `<!doctype html><html><head><title>Small list</title>${STYLE}</head><body>
<header class="toolbar"><nav><a href="#home">Home</a> <a href="#cart">Cart</a></nav>
<input name="q" type="search" placeholder="Search" data-testid="search"></header>
<main><h1>Products</h1><ul class="list">${rows.join('')}</ul></main>${SCRIPT}</body></html>`;
}

function heavyPage(): string {
  const cards: string[] = [];
  for (let i = 0; i < HEAVY_CARDS; i++) {
    // Texts repeat every few cards, classes never vary: nothing but position tells two cards apart.
    cards.push(
      `<div class="card"><div class="card-body"><div class="thumb"><img alt="" width="40" height="30"></div>` +
        `<h3 class="title">Product</h3><p class="desc">A fine thing, made well and sold cheap.</p>` +
        `<div class="meta"><span class="tag">new</span><span class="tag">sale</span><span class="rating">4.5</span></div>` +
        `<div class="price"><span class="amount">$${(i % 7) + 10}.99</span><span class="old">$30.00</span></div>` +
        `<div class="actions"><button class="btn add" type="button">Add to cart</button>` +
        `<button class="btn save" type="button"><span class="icon">♥</span><span class="label">Save</span></button>` +
        `<a class="link" href="#details">Details</a></div></div></div>`,
    );
  }
  return `<!doctype html><html><head><title>Heavy grid</title>${STYLE}</head><body>
<div class="toolbar"><div class="search"><input type="search" placeholder="Search"></div></div>
<div class="page"><div class="content"><div class="grid">${cards.join('')}</div></div></div>${SCRIPT}</body></html>`;
}

/** The generated pages on a loopback server. */
export interface BenchPages {
  /** Full URL of a page. */
  url(name: BenchPageName): string;
  stop(): Promise<void>;
}

/** Serves both pages on a free 127.0.0.1 port. */
export async function startBenchPages(): Promise<BenchPages> {
  const bodies: Record<BenchPageName, string> = { small: smallPage(), heavy: heavyPage() };
  const server: Server = createServer((req, res) => {
    const name = (req.url ?? '/').slice(1).replace(/\.html.*$/, '') as BenchPageName;
    const body = bodies[name];
    res.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(body ?? 'not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}.html`,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })),
  };
}
