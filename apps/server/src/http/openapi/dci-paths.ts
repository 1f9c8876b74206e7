/**
 * The DCI endpoints' part of the OpenAPI document, made from the router's own endpoint list
 * (dci/routes.ts): one operation per endpoint, its request and answer schemas being the ones the
 * pipeline validates with, its error answers the catalogue's codes grouped by HTTP status.
 */
import { codeInfo, COMPACT_SCHEMA, DCI_CODES, DciError, errorBody, outboundSchema, requestSchema, type DciCode, type OutboundKind } from '@dci-server/dci';
import type { DciEndpoint } from '../../dci/call.js';
import { DCI_ENDPOINTS, DCI_OPERATIONS } from '../../dci/routes.js';
import { ackExample, answerExample, COMPACT_EXAMPLES, notificationExample, requestExamples, type Example } from './dci-examples.js';
import type { SpecComponents } from './spec-schemas.js';

/** What each answer action is validated as: in the sync response, and as a callback. */
const ANSWER_KINDS: Record<string, { sync: OutboundKind; callback: OutboundKind }> = {
  'on-search': { sync: 'sync-search-response', callback: 'on-search' },
  'on-verify': { sync: 'sync-verify-response', callback: 'on-verify' },
  'txn-on-status': { sync: 'sync-txn-status-response', callback: 'txn-on-status' },
  'on-subscribe': { sync: 'on-subscribe', callback: 'on-subscribe' },
  'on-unsubscribe': { sync: 'on-unsubscribe', callback: 'on-unsubscribe' },
};

const TAGS: Record<string, string> = { search: 'Search', verify: 'Verify', txn_status: 'Transaction status', subscribe: 'Subscriptions', unsubscribe: 'Subscriptions', notify: 'Notify' };

const pascal = (text: string) => text.replace(/(^|[^a-zA-Z0-9]+)([a-zA-Z0-9])/g, (_m, _sep, c: string) => c.toUpperCase());

/** HTTP statuses a DCI call can be refused with (499 is only ever audited), each with its codes. */
function errorStatuses(): Map<number, DciCode[]> {
  const byStatus = new Map<number, DciCode[]>();
  for (const code of DCI_CODES) {
    const { httpStatus } = codeInfo(code);
    if (httpStatus === 499 || httpStatus === 500) continue;
    byStatus.set(httpStatus, [...(byStatus.get(httpStatus) ?? []), code]);
  }
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}

const EXAMPLE_TIME = new Date('2026-11-25T10:00:01Z');
const errorExample = (code: DciCode): Example => ({
  summary: code,
  value: errorBody(new DciError(code), { correlationId: '6f1c2b9e-3d4a-4b8c-9e21-7a5d0c3f8b14', now: EXAMPLE_TIME }).body,
});

export async function dciPaths(components: SpecComponents): Promise<Record<string, unknown>> {
  const request = new Map<string, { $ref: string }>();
  const outbound = new Map<OutboundKind, { $ref: string }>();
  const requestRef = (path: DciEndpoint['schemaPath']) => request.get(path) ?? request.set(path, components.register(`${pascal(path.replace('crvs:', 'crvs '))}Request`, requestSchema(path))).get(path)!;
  const outboundRef = (kind: OutboundKind) => outbound.get(kind) ?? outbound.set(kind, components.register(`${pascal(kind)}Message`, outboundSchema(kind))).get(kind)!;
  const compactRef = components.register('CompactRequest', COMPACT_SCHEMA);
  const ack = outboundRef('ack');
  const httpError = outboundRef('http-error');
  components.schemas.DciErrorBody = {
    description: 'Every DCI error answer: the spec ACK body with `ack_status: ERR` (and the spec error code) and the spec `HttpErrorResponse` (with our precise code from the catalogue).',
    allOf: [ack, httpError, { type: 'object', properties: { errors: { type: 'array', items: { type: 'object', properties: { code: { enum: DCI_CODES } } } } } }],
  };
  const errorResponses = Object.fromEntries(
    [...errorStatuses()].map(([status, codes]) => [
      String(status),
      {
        description: `Refused: ${codes.map((c) => `\`${c}\``).join(', ')}`,
        ...(status === 401 ? { headers: { 'WWW-Authenticate': { schema: { type: 'string' }, example: 'Bearer realm="dci-server"' } } } : {}),
        ...(status === 429 || status === 503 ? { headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' } } } : {}),
        content: { 'application/json': { schema: { $ref: '#/components/schemas/DciErrorBody' }, examples: Object.fromEntries(codes.slice(0, 3).map((c) => [c, errorExample(c)])) } },
      },
    ]),
  );

  const paths: Record<string, unknown> = {};
  for (const endpoint of DCI_ENDPOINTS) {
    const kinds = ANSWER_KINDS[endpoint.responseAction];
    const operation = DCI_OPERATIONS.find((op) => op.action === endpoint.action);
    const mode = endpoint.compact ? 'compact' : endpoint.sync ? 'sync' : 'async';
    const name = pascal(endpoint.path.replace(/^\/registry(\/sync)?/, ''));
    const requestBody = endpoint.compact
      ? { required: true, content: { 'application/json': { schema: compactRef, examples: { compact: COMPACT_EXAMPLES[endpoint.path] } } } }
      : { required: true, content: { 'application/json': { schema: requestRef(endpoint.schemaPath), examples: await requestExamples(endpoint.action) } } };
    let responses: Record<string, unknown>;
    let callbacks: Record<string, unknown> | undefined;
    if (endpoint.writes) {
      responses = { '200': { description: 'Applied: the records changed together with the audit record', content: { 'application/json': { schema: ack, examples: { ack: ackExample() } } } } };
    } else if (mode === 'async') {
      if (!kinds || !operation) throw new Error(`${endpoint.path}: no answer kind for ${endpoint.responseAction}`);
      responses = { '202': { description: `Accepted (ACK); the answer is POSTed later to \`<sender_uri>/registry/${operation.callbackPath}\``, content: { 'application/json': { schema: ack, examples: { ack: ackExample() } } } } };
      callbacks = {
        [endpoint.responseAction]: {
          [`{$request.body#/header/sender_uri}/registry/${operation.callbackPath}`]: {
            post: {
              summary: `Our signed ${endpoint.responseAction} callback`,
              description: 'Signed with our key (see /.well-known/jwks.json) in the sender\'s preferred scheme; retried with backoff until the receiver answers 2xx.',
              requestBody: { required: true, content: { 'application/json': { schema: outboundRef(kinds.callback), examples: { answer: await answerExample(endpoint.responseAction) } } } },
              responses: { '200': { description: 'Received (any 2xx)' } },
            },
          },
        },
      };
    } else {
      if (!kinds) throw new Error(`${endpoint.path}: no answer kind for ${endpoint.responseAction}`);
      responses = { '200': { description: 'Our signed answer', content: { 'application/json': { schema: outboundRef(kinds.sync), examples: { answer: await answerExample(endpoint.responseAction) } } } } };
    }
    if (endpoint.operation === 'subscribe' && !endpoint.compact) {
      callbacks = {
        ...callbacks,
        notify: {
          '{$request.body#/header/sender_uri}/registry/notify': {
            post: {
              summary: 'A notification of a subscribed event',
              description: 'Social events follow the social spec\'s notify; vital events (Death, LiveBirth, …) the CRVS spec\'s. Delivery is at least once: de-duplicate on `transaction_id` (the subscription code) and `notify_event[].reference_id`.',
              requestBody: { required: true, content: { 'application/json': { schema: { anyOf: [outboundRef('notify'), outboundRef('crvs-notify')] }, examples: { death: await notificationExample() } } } },
              responses: { '200': { description: 'Received (any 2xx)' } },
            },
          },
        },
      };
    }
    paths[endpoint.path] = {
      post: {
        operationId: endpoint.writes ? `receive${name}` : `${mode}${name}`,
        tags: [TAGS[endpoint.operation] ?? 'DCI'],
        summary: summaryOf(endpoint, mode),
        description: descriptionOf(endpoint, mode),
        security: [{ bearer: [endpoint.operation] }],
        requestBody,
        responses: { ...responses, ...errorResponses, '500': { description: 'Internal error (`err.internal`); nothing about it is told', content: { 'application/json': { schema: { $ref: '#/components/schemas/DciErrorBody' } } } } },
        ...(callbacks ? { callbacks } : {}),
      },
    };
  }
  return paths;
}

const VERBS: Record<string, string> = { search: 'Search the registry', verify: 'Verify claims without disclosure', txn_status: 'Status of an earlier transaction', subscribe: 'Subscribe to registry events', unsubscribe: 'End subscriptions', notify: 'Report registry events (inbound notify)' };

function summaryOf(endpoint: DciEndpoint, mode: string): string {
  const verb = VERBS[endpoint.operation] ?? endpoint.operation;
  if (endpoint.writes) return verb;
  return `${verb} (${mode === 'compact' ? 'compact form' : mode === 'sync' ? 'answer in the response' : 'answer by callback'})`;
}

function descriptionOf(endpoint: DciEndpoint, mode: string): string {
  const lines = [`\`header.action\` must be \`${endpoint.action}\`; the answer's is \`${endpoint.responseAction}\`. \`header.total_count\` must equal the number of \`message.${endpoint.itemsField}\` items.`];
  if (mode === 'compact') lines.unshift('Our compact form: translated into the standard message (a fresh `message_id`; `transaction_id` is also the reference) and answered like the sync endpoint. No envelope, so no signature: the bearer token alone authenticates it.');
  if (mode !== 'compact') lines.push('The envelope\'s `signature` field signs `{header, message}` with the sender\'s registered key (DCI signature string or compact JWS: see [the guide](/docs/guide#signing)); `header.message_id` is accepted once per sender.');
  if (mode === 'async') lines.push('Replies `202` with an ACK at once; the signed answer is POSTed to the callback below. The callback address must be on an origin registered for the sender.');
  if (endpoint.writes) lines.unshift('A civil registry (a sender allowed `notify`) reports records, applied to the registry in one transaction with the audit record, then fanned out to our own subscribers.');
  return lines.join('\n\n');
}
