import { fail, ok, type Failure, type Result } from '@codesight/schema';

/** Both endpoints the engine needs, derived from the one address a worker types. */
export interface ServerAddress {
  /** `https://host[:port][/prefix]`, no trailing slash: base of the HTTP API. */
  httpBase: string;
  /** `wss://host[:port][/prefix]/ws` (or the legacy `/extension-ws` when that is what was given). */
  wsUrl: string;
}

/** Why an address was refused; the message is shown to the worker as is. */
export type ServerAddressFailure = Failure<'invalid_server_address'>;

/** The WebSocket paths the server answers on; given either, the base is what precedes it. */
const WS_PATHS = ['/extension-ws', '/ws'] as const;

/**
 * Accepts a base URL (`https://host[:port]`) or a legacy WebSocket URL (`wss://host/extension-ws`), as
 * workers were given either, and derives both transports. Anything else fails with a readable message.
 */
export function deriveServerAddress(input: string): Result<ServerAddress, ServerAddressFailure> {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return fail(
      'invalid_server_address',
      `"${input}" is not a URL: expected https://host[:port] or wss://host/extension-ws`,
    );
  }
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
    return fail('invalid_server_address', `unsupported scheme ${url.protocol} (use https:, http:, wss: or ws:)`);
  }
  let path = url.pathname.replace(/\/+$/, '');
  const wsPath = WS_PATHS.find((p) => path.endsWith(p));
  if (wsPath) path = path.slice(0, -wsPath.length);
  const host = url.host;
  return ok({
    httpBase: `${secure ? 'https' : 'http'}://${host}${path}`,
    wsUrl: `${secure ? 'wss' : 'ws'}://${host}${path}${wsPath ?? '/ws'}`,
  });
}
