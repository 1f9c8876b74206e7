import type { NotifyAuth, Sender } from '@dci-server/db';
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

/** Seals the secret part of a notify-auth setting for storage on the sender. */
export function sealNotifyAuth(master: MasterKey, input: { type: 'none' } | { type: 'bearer'; token: string } | { type: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string; scope?: string }): NotifyAuth | null {
  if (input.type === 'none') return null;
  if (input.type === 'bearer') return { type: 'bearer', tokenSealed: master.encrypt(input.token) };
  new URL(input.tokenUrl); // refuse a malformed URL now rather than at the first delivery
  return { type: 'oauth2', tokenUrl: input.tokenUrl, clientId: input.clientId, clientSecretSealed: master.encrypt(input.clientSecret), ...(input.scope ? { scope: input.scope } : {}) };
}
