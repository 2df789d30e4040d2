// Shared catalogue and cart (kept in localStorage so it survives page loads) for the fixture shop.
// serve.ts exports PRODUCT_IDS: keep the two in sync.
const PRODUCTS = [
  { id: 1, name: 'Trail Running Shoes', price: 89.0, color: '#f0b429', details: 'Weight 280 g, drop 6 mm.' },
  { id: 2, name: 'Merino Wool Socks', price: 14.5, color: '#8eedc7', details: '70% merino, 30% nylon.' },
  { id: 3, name: 'Insulated Water Bottle', price: 24.0, color: '#9fb3c8', details: '750 ml, keeps cold 24 h.' },
  { id: 4, name: 'Packable Rain Jacket', price: 119.0, color: '#f29b9b', details: 'Packs into its own pocket.' },
  { id: 5, name: 'Headlamp 400 lm', price: 39.9, color: '#b990ff', details: 'USB-C, IPX4.' },
  { id: 6, name: 'Trekking Poles', price: 64.0, color: '#7cc4fa', details: 'Carbon, 105–135 cm.' },
];
const CART_KEY = 'fixture-shop-cart';

// eslint-disable-next-line @typescript-eslint/no-unused-vars -- a classic script's global, called by the pages
function getProduct(id) {
  return PRODUCTS.find((p) => p.id === Number(id));
}
function readCart() {
  try {
    return JSON.parse(localStorage.getItem(CART_KEY)) || [];
  } catch {
    return [];
  }
}
function writeCart(items) {
  localStorage.setItem(CART_KEY, JSON.stringify(items));
  renderCartCount();
}
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- a classic script's global, called by the pages
function addToCart(id, quantity) {
  const items = readCart();
  const line = items.find((i) => i.id === id);
  if (line) line.quantity += quantity;
  else items.push({ id, quantity });
  writeCart(items);
}
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- a classic script's global, called by the pages
function formatPrice(n) {
  return '$' + n.toFixed(2);
}
function renderCartCount() {
  const badge = document.getElementById('cart-count');
  if (badge) badge.textContent = String(readCart().reduce((n, i) => n + i.quantity, 0));
}
document.addEventListener('DOMContentLoaded', renderCartCount);
