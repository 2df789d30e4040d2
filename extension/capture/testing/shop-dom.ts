/**
 * A realistic shop page for the capture tests: repeated product cards with identical classes, buttons
 * without ids, named inputs, generated-looking ids, an SVG, and a custom element with an open shadow root.
 */
export const SHOP_HTML = `
<header>
  <a class="brand" href="/" data-testid="nav-home">Fixture Shop</a>
  <nav aria-label="Main">
    <a href="/deals">Deals</a>
    <a href="/cart" id="nav-cart">Cart <span class="badge">2</span></a>
  </nav>
  <form role="search" action="/search" class="search">
    <input type="search" name="q" placeholder="Search products">
    <button type="submit" class="btn">Search</button>
  </form>
</header>
<main>
  <h1>Mugs &amp; cups</h1>
  <section class="grid" aria-label="Products">
    <div class="card product"><img src="/1.jpg" alt="Blue mug"><h3 class="title">Blue mug</h3><span class="price">$12</span><button class="btn add">Add to cart</button></div>
    <div class="card product"><img src="/2.jpg" alt="Red mug"><h3 class="title">Red mug</h3><span class="price">$14</span><button class="btn add">Add to cart</button></div>
    <div class="card product"><img src="/3.jpg" alt="Tea cup"><h3 class="title">Tea cup</h3><span class="price">$9</span><button class="btn add">Add to cart</button></div>
    <div class="card product" id="product-4"><h3 class="title">Espresso cup</h3><button class="btn add">Add to cart</button></div>
    <div class="card product" id=":r5:"><h3 class="title">Travel mug</h3><button class="btn add" id="ember1234">Add to cart</button></div>
    <div class="card product" id="a1b2c3d4e5f60718"><h3 class="title">Latte glass</h3><button class="btn add css-1x2y3z">Add to cart</button></div>
  </section>
  <ul class="links">
    <li><a href="/p/1">Blue mug</a></li>
    <li><a href="/p/2">Red mug</a></li>
  </ul>
  <form id="newsletter" name="newsletter" action="/subscribe">
    <label for="nl-email">Email</label>
    <input id="nl-email" name="email" type="email">
    <label><input type="checkbox" name="agree"> I agree</label>
    <input type="radio" name="freq" value="weekly"> <input type="radio" name="freq" value="monthly">
    <select name="qty"><option value="1">One</option><option value="2" selected>Two</option></select>
    <textarea name="notes"></textarea>
    <div role="button" tabindex="0" class="btn">Subscribe</div>
  </form>
  <svg class="icon" viewBox="0 0 10 10"><path d="M0 0h10v10z"></path></svg>
  <shop-checkout-button></shop-checkout-button>
</main>
<footer><p>© Fixture Shop</p></footer>
`;

/** The HTML inside the open shadow root of <shop-checkout-button>. */
export const SHADOW_HTML = `
<div class="wrap"><button class="btn" id="checkout">Checkout</button><button class="btn">Later</button>
<div class="wrap"><button class="btn">Later</button></div></div>`;

/** Builds the shop into `doc.body` and returns the shadow root. */
export function buildShop(doc: Document = document): ShadowRoot {
  doc.body.innerHTML = SHOP_HTML;
  const host = doc.querySelector('shop-checkout-button')!;
  const shadow = host.attachShadow({ mode: 'open' });
  shadow.innerHTML = SHADOW_HTML;
  return shadow;
}
