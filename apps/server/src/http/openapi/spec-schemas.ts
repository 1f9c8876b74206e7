/**
 * The DCI spec's own schemas, taken into our OpenAPI document rather than retyped: the social
 * spec's components as they are (their `$ref`s then resolve unchanged), the CRVS spec's under a
 * `Crvs_` prefix, and each message schema the server validates with (packages/dci schemas.ts)
 * registered under a name of its own.
 */
import { CRVS_SPEC_ID, loadCrvsSpec, loadSocialSpec, SOCIAL_SPEC_ID } from '@dci-server/dci';

type Json = Record<string, unknown>;

const CRVS_PREFIX = 'Crvs_';

export interface SpecComponents {
  schemas: Record<string, unknown>;
  responses: Record<string, unknown>;
  /** Adds a validation schema (request path or outbound kind) under `name`; returns a `$ref` to it. */
  register(name: string, schema: object): { $ref: string };
}

const unescape = (segment: string) => segment.replaceAll('~1', '/').replaceAll('~0', '~');

function resolvePointer(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const part of pointer.split('/').slice(1).map(unescape)) node = (node as Json)[part];
  if (node === undefined) throw new Error(`spec pointer ${pointer} does not resolve`);
  return node;
}

/** Deep copy with every `$ref` rewritten by `map`. */
function rewriteRefs(node: unknown, map: (ref: string) => string): unknown {
  if (Array.isArray(node)) return node.map((item) => rewriteRefs(item, map));
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, key === '$ref' && typeof value === 'string' ? map(value) : rewriteRefs(value, map)]));
}

const crvsLocal = (ref: string) => ref.replace(/^#\/components\/schemas\//, `#/components/schemas/${CRVS_PREFIX}`);

export function specComponents(): SpecComponents {
  const social = loadSocialSpec();
  const crvs = loadCrvsSpec();
  const socialComponents = social.components as Json;
  const crvsSchemas = (crvs.components as Json).schemas as Json;
  const schemas: Record<string, unknown> = { ...(socialComponents.schemas as Json) };
  for (const [name, schema] of Object.entries(crvsSchemas)) schemas[CRVS_PREFIX + name] = rewriteRefs(schema, crvsLocal);

  /** A validation schema's absolute `$ref`s (into either spec) become refs into our document. */
  const localize = (ref: string): string => {
    if (ref.startsWith(`${SOCIAL_SPEC_ID}#`)) return ref.slice(SOCIAL_SPEC_ID.length);
    if (ref.startsWith(`${CRVS_SPEC_ID}#`)) return crvsLocal(ref.slice(CRVS_SPEC_ID.length));
    return ref;
  };
  /** A schema that is only a pointer into a spec's paths is copied whole (our paths differ from the spec's). */
  const inline = (schema: object): unknown => {
    const ref = (schema as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && Object.keys(schema).length === 1 && ref.includes('#/paths/')) {
      const [id, pointer] = ref.split('#') as [string, string];
      if (id === SOCIAL_SPEC_ID) return rewriteRefs(resolvePointer(social, pointer), (r) => r);
      if (id === CRVS_SPEC_ID) return rewriteRefs(resolvePointer(crvs, pointer), crvsLocal);
    }
    return rewriteRefs(schema, localize);
  };

  return {
    schemas,
    responses: socialComponents.responses as Json,
    register(name, schema) {
      if (name in schemas) throw new Error(`schema name ${name} is taken`);
      schemas[name] = inline(schema);
      return { $ref: `#/components/schemas/${name}` };
    },
  };
}

