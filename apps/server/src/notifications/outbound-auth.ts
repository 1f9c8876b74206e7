import type { EntityManager } from '@mikro-orm/postgresql';
import type { NotifyAuth, Sender } from '@dci-server/db';
import { findSender, SenderError } from '../senders/senders.js';
import type { MasterKey } from '../keys/master-key.js';
import { policyFor } from '../outbound/address-policy.js';
import { isSuccess, postForm } from '../outbound/post-json.js';

/** Tokens we obtained from subscribers' token endpoints, reused until shortly before they expire. */
const tokens = new Map<string, { token: string; until: number }>();

/** The Authorization header for POSTs to `sender`: none, a static bearer, or OAuth2 client credentials. */
export async function authorizationFor(sender: Sender, master: MasterKey): Promise<string | undefined> {
  const auth = sender.notifyAuth;
  if (!auth) return undefined;
  if (auth.type === 'bearer') return `Bearer ${master.decrypt(auth.tokenSealed)}`;
  const key = `${sender.senderId}|${auth.tokenUrl}|${auth.clientId}`;
  const cached = tokens.get(key);
  if (cached && cached.until > Date.now()) return `Bearer ${cached.token}`;
  const form = { grant_type: 'client_credentials', client_id: auth.clientId, client_secret: master.decrypt(auth.clientSecretSealed), ...(auth.scope ? { scope: auth.scope } : {}) };
  const res = await postForm(auth.tokenUrl, form, policyFor(sender, auth.tokenUrl));
  if (!isSuccess(res.status)) throw new Error(`token endpoint ${auth.tokenUrl} answered HTTP ${res.status}`);
  const body = JSON.parse(res.body) as { access_token?: string; expires_in?: number };
  if (!body.access_token) throw new Error(`token endpoint ${auth.tokenUrl} returned no access_token`);
  tokens.set(key, { token: body.access_token, until: Date.now() + Math.max(0, (body.expires_in ?? 300) - 30) * 1000 });
  return `Bearer ${body.access_token}`;
}

export type NotifyAuthInput = { type: 'none' } | { type: 'bearer'; token: string } | { type: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string; scope?: string };

/** Sets how our notifications authenticate to a sender (CLI and GraphQL); secrets are sealed with the master key. */
export async function setNotifyAuth(em: EntityManager, master: MasterKey, senderId: string, input: NotifyAuthInput): Promise<Sender> {
  const sender = await findSender(em, senderId);
  sender.notifyAuth = sealNotifyAuth(master, input);
  await em.flush();
  return sender;
}

/** Seals the secret part of a notify-auth setting for storage on the sender. */
export function sealNotifyAuth(master: MasterKey, input: NotifyAuthInput): NotifyAuth | null {
  if (input.type === 'none') return null;
  if (input.type === 'bearer') {
    if (!input.token) throw new SenderError('the bearer token is empty');
    return { type: 'bearer', tokenSealed: master.encrypt(input.token) };
  }
  // Refuse a malformed URL now rather than at the first delivery.
  if (!URL.canParse(input.tokenUrl) || !/^https?:$/.test(new URL(input.tokenUrl).protocol)) throw new SenderError(`not an http(s) URL: ${input.tokenUrl}`);
  if (!input.clientId || !input.clientSecret) throw new SenderError('OAuth2 notify authentication needs a client id and a client secret');
  return { type: 'oauth2', tokenUrl: input.tokenUrl, clientId: input.clientId, clientSecretSealed: master.encrypt(input.clientSecret), ...(input.scope ? { scope: input.scope } : {}) };
}
