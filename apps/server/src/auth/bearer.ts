import { DciError } from '@dci-server/dci';
import { OAuthClientSchema, type Sender } from '@dci-server/db';
import type { AppContext } from '../context.js';
import { activeSender } from '../senders/sender-auth.js';
import { verifyAccessToken } from './access-tokens.js';
import { tokenSettings } from './token-endpoint.js';

/**
 * The sender behind `Authorization: Bearer`: a valid token of ours (signature, issuer, audience,
 * expiry), from a client that is still enabled, of a sender that is known and active.
 */
export async function authenticateBearer(ctx: AppContext, authorization: string | undefined): Promise<{ sender: Sender; scopes: string[] }> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) throw new DciError('err.auth.missing_token', 'An Authorization: Bearer token is required (POST /oauth2/client/token)');
  const claims = await verifyAccessToken(ctx.keyring, tokenSettings(ctx), token);
  const em = ctx.db.orm.em.fork();
  const sender = await activeSender(em, claims.senderId);
  // Tokens from private_key_jwt name the sender itself; the others name an OAuth client, which may since have been disabled.
  if (claims.clientId !== sender.senderId) {
    const client = await em.findOne(OAuthClientSchema, { clientId: claims.clientId, sender });
    if (!client?.active) throw new DciError('err.auth.invalid_token', 'The client this token was issued to is disabled');
  }
  return { sender, scopes: claims.scopes };
}
