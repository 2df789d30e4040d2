import * as v from 'valibot';
import {
  EpochMsSchema,
  PrivacyPolicySchema,
  STANDARD_PRIVACY_POLICY,
  validate,
  type Clock,
  type PrivacyPolicy,
} from '@codesight/schema';
import { sendBounded } from '../sync/transport/bounded-fetch';
import { deriveServerAddress } from '../sync/transport/server-address';

/** chrome.storage.local key of the last privacy policy a server handed over. */
export const PRIVACY_POLICY_KEY = 'privacyPolicy';

/** The stored copy: which server (HTTP base) it came from and when, so another server's is not applied. */
export const StoredPrivacyPolicySchema = v.object({
  server: v.pipe(v.string(), v.maxLength(2048)),
  receivedAt: EpochMsSchema,
  policy: PrivacyPolicySchema,
});
export type StoredPrivacyPolicy = v.InferOutput<typeof StoredPrivacyPolicySchema>;

/**
 * The policy a session started now applies: the last copy from the configured server (offline too), or
 * {@link STANDARD_PRIVACY_POLICY} with no server, before the server first answered, or when the copy is
 * another server's or does not validate (an edited copy fails its version check).
 */
export function policyInForce(stored: unknown, serverUrl: string): PrivacyPolicy {
  if (!serverUrl) return STANDARD_PRIVACY_POLICY;
  const address = deriveServerAddress(serverUrl);
  const copy = validate(StoredPrivacyPolicySchema, stored ?? null);
  if (!address.ok || !copy.ok || copy.value.server !== address.value.httpBase) return STANDARD_PRIVACY_POLICY;
  return copy.value.policy;
}

/** Reads the policy in force from chrome.storage.local (see {@link policyInForce}). */
export async function loadPrivacyPolicy(serverUrl: string): Promise<PrivacyPolicy> {
  return policyInForce(await readStoredPrivacyPolicy(), serverUrl);
}

/**
 * A copy `server` handed over less than this long ago needs no HTTP refresh: the service worker starts
 * often (every wake-up), and the socket hands the policy over on each authentication anyway.
 */
export const POLICY_REFRESH_MS = 10 * 60_000;

/** Whether `stored` is `server`'s copy, received within {@link POLICY_REFRESH_MS} of `now`. */
export function isFreshCopy(stored: unknown, server: string, now: number): boolean {
  const copy = validate(StoredPrivacyPolicySchema, stored ?? null);
  return copy.ok && copy.value.server === server && now - copy.value.receivedAt < POLICY_REFRESH_MS;
}

/** The stored copy as it is (validated by its readers). */
export async function readStoredPrivacyPolicy(): Promise<unknown> {
  return (await chrome.storage.local.get(PRIVACY_POLICY_KEY))[PRIVACY_POLICY_KEY];
}

/** Keeps the policy `server` (its HTTP base) handed over; it applies from the next session on. */
export async function savePrivacyPolicy(policy: PrivacyPolicy, server: string, now: number): Promise<void> {
  const stored: StoredPrivacyPolicy = { server, receivedAt: now, policy };
  await chrome.storage.local.set({ [PRIVACY_POLICY_KEY]: stored });
}

/** How long the HTTP fetch of the policy may take before the last copy is kept. */
const FETCH_TIMEOUT_MS = 10_000;

/**
 * Fetches the policy from `GET {httpBase}/api/extension/policy` with the worker key (the HTTP path; the
 * WebSocket hands it over in `authentication_success`). Undefined when the server cannot be reached or
 * answers something that is not a valid policy: the last copy stays in force.
 */
export async function fetchPrivacyPolicy(
  http: { fetch: typeof fetch; clock: Clock },
  httpBase: string,
  apiKey: string,
): Promise<PrivacyPolicy | undefined> {
  const answer = await sendBounded(
    http,
    `${httpBase}/api/extension/policy`,
    { headers: { Authorization: `Bearer ${apiKey}` } },
    FETCH_TIMEOUT_MS,
    'privacy policy',
  );
  if (!answer.ok || answer.value.status !== 200) return undefined;
  try {
    const parsed = validate(PrivacyPolicySchema, JSON.parse(answer.value.text));
    return parsed.ok ? parsed.value : undefined;
  } catch {
    return undefined;
  }
}
