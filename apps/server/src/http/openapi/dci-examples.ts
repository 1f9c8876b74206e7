/**
 * Example messages for the OpenAPI document: what a sender sends and what we answer, as whole
 * signed envelopes. They are signed for real (with a documentation-only Ed25519 key made from a
 * fixed seed, so the document is the same at every start) and checked against their own schemas
 * by openapi.test.ts.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { signEnvelope, type SignatureScheme } from '@dci-server/dci';

const SENDER = 'demo-client';
const SENDER_URI = 'https://spmis.example.org/dci';
const SENT = '2026-11-25T10:00:00Z';
const ANSWERED = '2026-11-25T10:00:01Z';
const TRANSACTION = 'txn-2026-11-25-0001';
const CORRELATION = '6f1c2b9e-3d4a-4b8c-9e21-7a5d0c3f8b14';
const SUBSCRIPTION_CODE = 'b3e0c6a2-58d1-4f7e-a9c4-2d6f1e8b7a90';

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
let exampleKey: KeyObject | undefined;
const documentationKey = () =>
  (exampleKey ??= createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, Buffer.alloc(32, 7)]), format: 'der', type: 'pkcs8' }));

const SERVER_KID = 'server-key-2026-11';

/** Our JWKS as the examples' signatures were made: the documentation key's public half. */
export function documentationJwks() {
  return { keys: [{ ...createPublicKey(documentationKey()).export({ format: 'jwk' }), kid: SERVER_KID, alg: 'EdDSA', use: 'sig' }] };
}

export interface Example {
  summary: string;
  value: unknown;
}

type Message = Record<string, unknown>;

function requestHeader(action: string, totalCount: number): Message {
  return {
    version: '1.0.0',
    message_id: `msg-${action}-0001`,
    message_ts: SENT,
    action,
    sender_id: SENDER,
    sender_uri: SENDER_URI,
    receiver_id: 'dci-server',
    total_count: totalCount,
    is_msg_encrypted: false,
  };
}

function answerHeader(action: string, totalCount: number): Message {
  return {
    version: '1.0.0',
    message_id: '0b7e4f3a-91c2-4d5e-8f6a-2c1b3d4e5f60',
    message_ts: ANSWERED,
    action,
    status: 'succ',
    total_count: totalCount,
    completed_count: totalCount,
    sender_id: 'dci-server',
    receiver_id: SENDER,
    is_msg_encrypted: false,
  };
}

async function signed(header: Message, message: Message, summary: string, scheme: SignatureScheme = 'dci-signature'): Promise<Example> {
  const senderId = header.sender_id as string;
  const kid = senderId === 'dci-server' ? SERVER_KID : `${senderId}-key-1`;
  const signature = await signEnvelope(header, message, { scheme, privateKey: documentationKey(), kid, senderId, now: new Date(SENT), ttlSeconds: 300 });
  return { summary, value: { signature, header, message } };
}

const item = (reference: string) => ({ reference_id: reference, timestamp: SENT });
const answered = (reference: string) => ({ reference_id: reference, timestamp: ANSWERED });

const PERSON = {
  '@type': 'Person',
  identifier: [{ identifier_type: 'UIN', identifier_value: '0000000000' }],
  name: { '@type': 'Name', given_name: 'Amina', surname: 'Okafor' },
  sex: 'female',
  birth_date: '1985-05-20',
  address: [{ '@type': 'Address', city: 'Lagos', country: 'NG' }],
  marital_status: 'married',
  is_disabled: false,
  registration_date: '2024-02-11T09:30:00.000Z',
  last_updated: '2026-10-03T14:12:45.000Z',
};

const MESSAGES = {
  search: {
    transaction_id: TRANSACTION,
    search_request: [
      {
        ...item('ref-1'),
        search_criteria: { version: '1.0.0', reg_type: 'ns:org:RegistryType:Social', reg_record_type: 'Person', query_type: 'idtype-value', query: { type: 'UIN', value: '0000000000' } },
        locale: 'eng',
      },
    ],
  },
  'on-search': {
    transaction_id: TRANSACTION,
    correlation_id: CORRELATION,
    search_response: [
      {
        ...answered('ref-1'),
        status: 'succ',
        data: { version: '1.0.0', reg_type: 'ns:org:RegistryType:Social', reg_record_type: 'Person', reg_records: [PERSON] },
        pagination: { page_size: 10, page_number: 1, total_count: 1 },
        locale: 'eng',
      },
    ],
  },
  verify: {
    transaction_id: TRANSACTION,
    verify_request: [
      {
        ...item('ref-1'),
        verify_criteria: { reg_type: 'ns:org:RegistryType:Social', reg_record_type: 'Person', identifier: { type: 'UIN', value: '0000000000' }, claims: { is_alive: true, birth_date: '1985-05-20', surname: 'Okafor' } },
        locale: 'eng',
      },
    ],
  },
  'on-verify': {
    transaction_id: TRANSACTION,
    correlation_id: CORRELATION,
    verify_response: [{ ...answered('ref-1'), status: 'succ', data: { claims: { is_alive: true, birth_date: true, surname: true } } }],
  },
  'txn-status': {
    transaction_id: 'txn-2026-11-25-0002',
    txnstatus_request: { reference_id: 'ref-status-1', txn_type: 'search', attribute_type: 'transaction_id', attribute_value: TRANSACTION, locale: 'eng' },
  },
  'txn-on-status': {
    transaction_id: 'txn-2026-11-25-0002',
    correlation_id: CORRELATION,
    txnstatus_response: { txn_type: 'search', txn_status: { transaction_id: TRANSACTION, correlation_id: CORRELATION, search_response: [{ ...answered('ref-1'), status: 'succ' }] } },
  },
  subscribe: {
    transaction_id: TRANSACTION,
    subscribe_request: [
      {
        ...item('ref-1'),
        subscribe_criteria: {
          version: '1.0.0',
          reg_type: 'ns:org:RegistryType:Social',
          reg_event_type: 'Death',
          filter_type: 'expression',
          filter: { expression: { collection: 'Person', query: { $and: [{ city: { $eq: 'Lagos' } }] } } },
          notify_record_type: 'Person',
        },
        locale: 'eng',
      },
    ],
  },
  'on-subscribe': {
    transaction_id: TRANSACTION,
    correlation_id: CORRELATION,
    subscribe_response: [
      {
        ...answered('ref-1'),
        status: 'succ',
        subscriptions: [{ code: SUBSCRIPTION_CODE, status: 'subscribe', timestamp: ANSWERED, reg_type: 'ns:org:RegistryType:Social', reg_event_type: 'Death', notify_record_type: 'Person' }],
      },
    ],
  },
  unsubscribe: { transaction_id: TRANSACTION, timestamp: SENT, subscription_codes: [SUBSCRIPTION_CODE] },
  'on-unsubscribe': {
    transaction_id: TRANSACTION,
    correlation_id: CORRELATION,
    timestamp: ANSWERED,
    status: 'succ',
    subscription_status: [{ code: SUBSCRIPTION_CODE, status: 'unsubscribe' }],
  },
  notify: {
    transaction_id: 'crvs-txn-0042',
    notify_event: [
      {
        reference_id: 'death-2026-000117',
        timestamp: SENT,
        data: { version: '1.0.0', reg_type: 'ns:org:RegistryType:Civil', reg_event_type: 'Death', reg_record_type: 'Person', reg_records: { ...PERSON, death_date: '2026-11-24' } },
      },
    ],
  },
} satisfies Record<string, Message>;

type Action = keyof typeof MESSAGES;
const ITEMS: Partial<Record<Action, string>> = { search: 'search_request', verify: 'verify_request', subscribe: 'subscribe_request', unsubscribe: 'subscription_codes', notify: 'notify_event' };
const countOf = (action: Action) => {
  const items = ITEMS[action] && (MESSAGES[action] as Message)[ITEMS[action]];
  return Array.isArray(items) ? items.length : 1;
};

const isExampleAction = (action: string): action is Action => Object.hasOwn(MESSAGES, action);

/** A sender's signed request with header.action `action` (both signature schemes for search). */
export async function requestExamples(action: string): Promise<Record<string, Example>> {
  if (!isExampleAction(action)) throw new Error(`no example message for action ${action}`);
  const header = requestHeader(action, countOf(action));
  const message = MESSAGES[action];
  if (action === 'notify') {
    // An inbound notify comes from a civil registry and carries a callback header (with status).
    const crvsHeader = { ...answerHeader('notify', 1), sender_id: 'crvs-registry', receiver_id: 'dci-server', message_id: 'crvs-msg-0042', message_ts: SENT };
    return { 'dci-signature': await signed(crvsHeader, message, 'A civil registry reports a death (DCI signature string)') };
  }
  const examples: Record<string, Example> = { 'dci-signature': await signed(header, message, `Signed with the DCI signature string (Ed25519)`) };
  if (action === 'search') examples.jws = await signed(header, message, 'Signed as a compact JWS (EdDSA)', 'jws');
  return examples;
}

/** Our signed answer with header.action `action` (sync response or callback). */
export async function answerExample(action: string): Promise<Example> {
  if (!isExampleAction(action)) throw new Error(`no example message for action ${action}`);
  return signed(answerHeader(action, countOf(action)), MESSAGES[action], 'Our signed answer');
}

/** The notification a subscriber receives at `<sender_uri>/registry/notify`. */
export function notificationExample(): Promise<Example> {
  const message = { ...MESSAGES.notify, transaction_id: SUBSCRIPTION_CODE };
  return signed({ ...answerHeader('notify', 1), message_id: 'notify-0001' }, message, 'A subscribed event (transaction_id is the subscription code)');
}

export const ackExample = (): Example => ({ summary: 'Accepted: the answer follows by callback', value: { message: { ack_status: 'ACK', timestamp: ANSWERED, correlation_id: CORRELATION } } });

export const COMPACT_EXAMPLES: Record<string, Example> = {
  '/search': { summary: 'Search by national ID', value: { transaction_id: 'txn-compact-1', sender_id: SENDER, search_criteria: { national_id: '0000000000' } } },
  '/verify': { summary: 'Is this person alive?', value: { transaction_id: 'txn-compact-2', sender_id: SENDER, verify: { national_id: '0000000000', is_alive: true } } },
  '/subscribe': { summary: 'Be told of deaths', value: { transaction_id: 'txn-compact-3', sender_id: SENDER, subscription: { event_type: 'death', callback_url: 'https://spmis.example.org/notify' } } },
};
