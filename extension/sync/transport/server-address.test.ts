import { describe, expect, it } from 'vitest';
import { deriveServerAddress } from './server-address';

describe('deriveServerAddress', () => {
  it.each([
    ['https://collector.example', 'https://collector.example', 'wss://collector.example/ws'],
    ['https://collector.example/', 'https://collector.example', 'wss://collector.example/ws'],
    ['http://127.0.0.1:3000', 'http://127.0.0.1:3000', 'ws://127.0.0.1:3000/ws'],
    ['wss://collector.example/extension-ws', 'https://collector.example', 'wss://collector.example/extension-ws'],
    ['ws://10.0.0.5:8080/ws', 'http://10.0.0.5:8080', 'ws://10.0.0.5:8080/ws'],
    [
      'https://example.org/collector/extension-ws',
      'https://example.org/collector',
      'wss://example.org/collector/extension-ws',
    ],
    ['  https://example.org/collector  ', 'https://example.org/collector', 'wss://example.org/collector/ws'],
  ])('%s', (input, httpBase, wsUrl) => {
    expect(deriveServerAddress(input)).toEqual({ ok: true, value: { httpBase, wsUrl } });
  });

  it.each([
    ['collector.example', /is not a URL/],
    ['ftp://collector.example', /unsupported scheme ftp:/],
    ['', /is not a URL/],
  ])('refuses %j with a message', (input, message) => {
    const address = deriveServerAddress(input);
    expect(address.ok).toBe(false);
    if (!address.ok) {
      expect(address.error.code).toBe('invalid_server_address');
      expect(address.error.message).toMatch(message);
    }
  });
});
