import fs from 'node:fs/promises';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { SenderSchema } from '@dci-server/db';
import { exportJWK, generateKeyPair } from 'jose';
import { ensureDemoAgreement } from '../agreements/agreements.js';
import { addSenderKey, createOAuthClient, createSender, OPERATIONS } from './senders.js';

export const DEMO_SENDER_ID = 'demo-client';

export interface DemoSenderFiles {
  keyFile: string;
  credentialsFile: string;
}

/**
 * Creates the demo sender (every operation, Ed25519 key, OAuth client) and writes its private
 * key and credentials to DATA_DIR/demo so that the README's examples work at once.
 * Only called in demo mode, and only when the sender does not exist yet.
 */
export async function ensureDemoSender(em: EntityManager, dataDir: string, publicUrl: string): Promise<DemoSenderFiles | undefined> {
  if (await em.count(SenderSchema, { senderId: DEMO_SENDER_ID })) return undefined;
  const sender = await createSender(em, {
    senderId: DEMO_SENDER_ID,
    name: 'Demo client',
    description: 'Created by demo mode for trying the API; delete it in production.',
    allowedOperations: [...OPERATIONS],
    allowLoopbackCallbacks: true,
  });
  await ensureDemoAgreement(em, sender);
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  const keyId = 'demo-client-key-1';
  await addSenderKey(em, sender, { ...(await exportJWK(publicKey)), kid: keyId }, keyId);
  const { clientId, clientSecret } = await createOAuthClient(em, sender);

  const dir = path.join(dataDir, 'demo');
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const keyFile = path.join(dir, `${DEMO_SENDER_ID}.key.jwk`);
  const credentialsFile = path.join(dir, `${DEMO_SENDER_ID}.credentials.json`);
  await fs.writeFile(keyFile, JSON.stringify({ ...(await exportJWK(privateKey)), kid: keyId, alg: 'EdDSA' }, null, 2) + '\n', { mode: 0o600 });
  const credentials = {
    sender_id: DEMO_SENDER_ID,
    client_id: clientId,
    client_secret: clientSecret,
    key_id: keyId,
    token_url: `${publicUrl}/oauth2/client/token`,
    base_url: publicUrl,
  };
  await fs.writeFile(credentialsFile, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  return { keyFile, credentialsFile };
}
