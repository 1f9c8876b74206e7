import { randomUUID } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { signEnvelope, type SignatureScheme } from '@dci-server/dci';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { ensureDemoAgreement } from '../agreements/agreements.js';
import type { AppContext } from '../context.js';
import { addSenderKey, createOAuthClient, createSender, OPERATIONS, type Operation } from '../senders/senders.js';

export interface TestSender {
  senderId: string;
  clientId: string;
  clientSecret: string;
  kid: string;
  privateJwk: JWK;
}

/** A registered sender with an Ed25519 key and OAuth client, as an integrator would have. */
export async function createTestSender(ctx: AppContext, senderId = `sender-${randomUUID().slice(0, 8)}`, operations: Operation[] = [...OPERATIONS], options: { agreement?: boolean } = {}): Promise<TestSender> {
  const em = ctx.db.orm.em.fork();
  const sender = await createSender(em, { senderId, name: senderId, allowedOperations: operations, allowLoopbackCallbacks: true });
  if (options.agreement ?? true) await ensureDemoAgreement(em, sender);
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  const kid = `${senderId}-key`;
  await addSenderKey(em, sender, { ...(await exportJWK(publicKey)), kid }, kid);
  const { clientId, clientSecret } = await createOAuthClient(em, sender);
  return { senderId, clientId, clientSecret, kid, privateJwk: { ...(await exportJWK(privateKey)), kid } };
}

export interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
}

/** A DCI client written against the spec: token, signed envelopes, POSTs. */
export class DciTestClient {
  private token?: string;

  constructor(
    readonly baseUrl: string,
    readonly sender: TestSender,
    readonly scheme: SignatureScheme = 'dci-signature',
  ) {}

  async accessToken(): Promise<string> {
    if (this.token) return this.token;
    const res = await fetch(`${this.baseUrl}/oauth2/client/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${this.sender.clientId}:${this.sender.clientSecret}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    if (!res.ok) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
    this.token = ((await res.json()) as { access_token: string }).access_token;
    return this.token;
  }

  header(action: string, totalCount: number, overrides: Record<string, unknown> = {}) {
    return { version: '1.0.0', message_id: randomUUID(), message_ts: new Date().toISOString(), action, sender_id: this.sender.senderId, total_count: totalCount, ...overrides };
  }

  async envelope(header: Record<string, unknown>, message: unknown, options: { sign?: boolean } = {}) {
    if (options.sign === false) return { header, message };
    const signature = await signEnvelope(header, message, { scheme: this.scheme, privateKey: this.sender.privateJwk as JsonWebKey, kid: this.sender.kid, senderId: this.sender.senderId });
    return { signature, header, message };
  }

  async post(path: string, body: unknown, options: { token?: string | null; contentType?: string; raw?: string } = {}): Promise<Reply> {
    const token = options.token === undefined ? await this.accessToken() : options.token;
    const res = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': options.contentType ?? 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: options.raw ?? JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : {} };
  }

  /** Builds, signs and posts a message in one go. */
  async send(path: string, action: string, message: Record<string, unknown>, itemsField: string, overrides: Record<string, unknown> = {}): Promise<Reply> {
    const items = message[itemsField];
    const header = this.header(action, Array.isArray(items) ? items.length : 1, overrides);
    return this.post(path, await this.envelope(header, message));
  }
}

export const searchItem = (referenceId: string, criteria: Record<string, unknown>) => ({ reference_id: referenceId, timestamp: new Date().toISOString(), search_criteria: { version: '1.0.0', reg_type: 'ns:org:RegistryType:Social', ...criteria } });
