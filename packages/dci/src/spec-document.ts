/**
 * Loads the bundled social-registry OpenAPI document (packages/dci/spec/) and
 * applies, in memory only, the fixes listed in spec/DEFECTS.md.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export const SOCIAL_SPEC_FILE = new URL('../spec/social_api_v1.0.0.spdci-compliance.yaml', import.meta.url);

/** The id under which the whole document is registered with ajv. */
export const SOCIAL_SPEC_ID = 'https://dci-server.local/spec/social_api_v1.0.0.json';

/** The CRVS registry API: its notify carries vital events (Death, LiveBirth, …) the social spec's enum lacks. */
export const CRVS_SPEC_FILE = new URL('../spec/crvs_api_v1.0.0.spdci-compliance.yaml', import.meta.url);
export const CRVS_SPEC_ID = 'https://dci-server.local/spec/crvs_api_v1.0.0.json';

export function loadCrvsSpec(): Json {
  return parse(readFileSync(CRVS_SPEC_FILE, 'utf8')) as Json;
}

type Json = Record<string, unknown>;

export function loadSocialSpec(): Json {
  const doc = parse(readFileSync(SOCIAL_SPEC_FILE, 'utf8')) as Json;
  patchIdentifierValueOneOf(doc);
  return doc;
}

/** Walks a path of property names through plain objects / arrays. */
export function pointer(doc: unknown, ...path: (string | number)[]): unknown {
  let node = doc;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}

/**
 * DEFECTS.md D1: the identifier value is `oneOf [string, integer, number, boolean, object]`;
 * every integer is also a number, so integers match twice and always fail. Use anyOf.
 */
function patchIdentifierValueOneOf(doc: Json): void {
  const target = pointer(doc, 'components', 'schemas', 'SubscriptionInfo', 'properties', 'filter', 'anyOf', 1, 'properties', 'value', 'allOf', 1);
  if (!target || typeof target !== 'object' || !('oneOf' in target)) {
    throw new Error('DCI spec layout changed: identifier value oneOf not found (see DEFECTS.md D1)');
  }
  const schema = target as Json;
  schema.anyOf = schema.oneOf;
  delete schema.oneOf;
}
