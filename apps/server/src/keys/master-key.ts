import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

/** AES-256-GCM under the master key: `v1.<iv>.<tag>.<ciphertext>`, base64url parts. */
export class MasterKey {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the master key must be 32 bytes');
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), data].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('not a sealed value');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }
}

export function parseMasterKey(value: string): Buffer {
  return /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
}

/**
 * MASTER_KEY from the environment; in demo mode only, a generated key file in DATA_DIR
 * (0600) so that `npm start` works with no setup. Production must set MASTER_KEY.
 */
export function loadMasterKey(config: Config, logger: Logger): MasterKey {
  if (config.masterKey) return new MasterKey(parseMasterKey(config.masterKey));
  if (!config.demoData) {
    throw new Error('MASTER_KEY is required outside demo mode (DEMO_DATA=false, the default with DATABASE_URL); generate one with: openssl rand -base64 32');
  }
  const file = path.join(config.dataDir, 'master.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  logger.warn({ file }, 'demo mode: using a generated master key file; set MASTER_KEY in production');
  return new MasterKey(parseMasterKey(fs.readFileSync(file, 'utf8').trim()));
}
