import { readFile } from 'node:fs/promises';
import type { SignatureScheme } from '@dci-server/dci/signing';
import type { DciClientOptions } from './client.js';

/** A sender's files as the server writes them for its demo sender (`.data/demo/`). */
export interface SenderFiles {
  /** `{sender_id, client_id, client_secret?, key_id?, base_url, token_url?}` */
  credentials: string;
  /** The sender's private key: a JWK (with `kid`, unless the credentials give `key_id`). */
  key: string;
  scheme?: SignatureScheme;
}

/** DciClient options from a credentials file and a private key file (private_key_jwt when there is no client_secret). */
export async function loadSenderFiles(files: SenderFiles): Promise<DciClientOptions> {
  const credentials = JSON.parse(await readFile(files.credentials, 'utf8')) as { sender_id?: string; client_id?: string; client_secret?: string; key_id?: string; base_url?: string; token_url?: string };
  const privateKey = JSON.parse(await readFile(files.key, 'utf8')) as { kid?: string };
  const kid = credentials.key_id ?? privateKey.kid;
  const { sender_id: senderId, client_id: clientId, base_url: baseUrl } = credentials;
  if (!senderId || !clientId || !baseUrl) throw new Error(`${files.credentials} needs sender_id, client_id and base_url`);
  if (!kid) throw new Error(`${files.key} has no kid (and ${files.credentials} no key_id)`);
  return {
    baseUrl,
    senderId,
    auth: credentials.client_secret ? { clientId, clientSecret: credentials.client_secret } : { clientId, privateKeyJwt: true },
    signingKey: { privateKey, kid },
    ...(credentials.token_url ? { tokenUrl: credentials.token_url } : {}),
    ...(files.scheme ? { scheme: files.scheme } : {}),
  };
}
