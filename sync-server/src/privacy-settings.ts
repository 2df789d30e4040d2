import { readFileSync, statSync } from 'node:fs';
import * as v from 'valibot';
import {
  describeIssues,
  makePrivacyPolicy,
  PRIVACY_MODES,
  PrivacyPolicyChoiceSchema,
  STANDARD_PRIVACY_POLICY,
  type PrivacyPolicy,
} from '@codesight/schema';

/** The environment variables the privacy policy is read from. */
export interface PrivacyEnv {
  PRIVACY_POLICY?: string;
  PRIVACY_BLOCK_SELECTORS?: string;
  PRIVACY_MASK_FIELDS?: string;
  PRIVACY_POLICY_FILE?: string;
}

/** A policy file is a few hundred bytes; 64 KiB bounds a path pointing at the wrong (large) file. */
const MAX_POLICY_FILE_BYTES = 64 * 1024;

/**
 * The deployment's privacy policy (issue 14), from either
 * - `PRIVACY_POLICY` (`standard` | `strict`, default `standard`), `PRIVACY_BLOCK_SELECTORS` (CSS selectors
 *   separated by `;`, a character no selector needs) and `PRIVACY_MASK_FIELDS` (field names separated by
 *   `,`); or
 * - `PRIVACY_POLICY_FILE`: a JSON file `{ "mode", "blockSelectors": [...], "maskFields": [...] }`.
 * Setting both is refused, as is anything out of the schema's bounds: each problem is pushed onto
 * `errors` as one readable line, and the standard policy is returned for the caller to discard.
 */
export function privacyPolicyFromEnv(
  env: PrivacyEnv,
  errors: string[],
  readFile: (path: string) => string = readPolicyFile,
): PrivacyPolicy {
  const fromVariables = ['PRIVACY_POLICY', 'PRIVACY_BLOCK_SELECTORS', 'PRIVACY_MASK_FIELDS'] as const;
  const path = env.PRIVACY_POLICY_FILE;
  if (path !== undefined) {
    const alsoSet = fromVariables.filter((name) => env[name] !== undefined);
    if (alsoSet.length > 0) {
      errors.push(`setting PRIVACY_POLICY_FILE: set it or ${alsoSet.join(', ')}, not both`);
      return STANDARD_PRIVACY_POLICY;
    }
    let input: unknown;
    try {
      input = JSON.parse(readFile(path));
    } catch (error) {
      errors.push(`setting PRIVACY_POLICY_FILE: cannot read ${path} as JSON (${(error as Error).message})`);
      return STANDARD_PRIVACY_POLICY;
    }
    return checked('PRIVACY_POLICY_FILE', input, errors);
  }
  const mode = env.PRIVACY_POLICY?.trim().toLowerCase() ?? 'standard';
  if (!(PRIVACY_MODES as readonly string[]).includes(mode)) {
    errors.push(`setting PRIVACY_POLICY: must be one of ${PRIVACY_MODES.join(', ')}`);
    return STANDARD_PRIVACY_POLICY;
  }
  return checked(
    'PRIVACY_BLOCK_SELECTORS / PRIVACY_MASK_FIELDS',
    {
      mode,
      blockSelectors: splitList(env.PRIVACY_BLOCK_SELECTORS, ';'),
      maskFields: splitList(env.PRIVACY_MASK_FIELDS, ','),
    },
    errors,
  );
}

function checked(name: string, input: unknown, errors: string[]): PrivacyPolicy {
  const parsed = v.safeParse(PrivacyPolicyChoiceSchema, input);
  if (!parsed.success) {
    for (const line of describeIssues(parsed.issues)) errors.push(`setting ${name}: ${line}`);
    return STANDARD_PRIVACY_POLICY;
  }
  return makePrivacyPolicy(parsed.output);
}

function splitList(value: string | undefined, separator: string): string[] {
  return (value ?? '')
    .split(separator)
    .map((s) => s.trim())
    .filter(Boolean);
}

function readPolicyFile(path: string): string {
  if (statSync(path).size > MAX_POLICY_FILE_BYTES) throw new Error(`larger than ${MAX_POLICY_FILE_BYTES} bytes`);
  return readFileSync(path, 'utf8');
}
