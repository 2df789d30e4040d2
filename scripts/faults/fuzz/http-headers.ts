import { PLACEHOLDER } from './fuzz-case';
import type { Rng } from './rng';

/** Headers of an honest client with the attacker's key (either header the server reads). */
export function keyHeaders(rng: Rng, credential: string = PLACEHOLDER.key): Record<string, string> {
  const auth: Record<string, string> = rng.chance(0.7)
    ? { authorization: `Bearer ${credential}` }
    : { 'x-api-key': credential };
  return { host: PLACEHOLDER.host, ...auth };
}
