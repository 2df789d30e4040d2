import { describe, expect, it } from 'vitest';
import { webHostOf } from './web-host';

describe('webHostOf', () => {
  it.each([
    ['https://shop.example/cart', 'shop.example'],
    ['http://127.0.0.1:8080/x', '127.0.0.1'],
    ['HTTPS://Shop.Example/', 'shop.example'],
    ['chrome-extension://abcdef/popup.html', null],
    ['chrome://newtab/', null],
    ['about:blank', null],
    ['file:///tmp/x.html', null],
    ['not a url', null],
    ['', null],
  ])('%s -> %s', (url, host) => expect(webHostOf(url)).toBe(host));
});
