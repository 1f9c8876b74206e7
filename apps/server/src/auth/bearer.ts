import { DciError } from '@dci-server/dci';
import type { Sender } from '@dci-server/db';
import type { AppContext } from '../context.js';
import { checkActive, SENDER_COLUMNS } from '../senders/sender-auth.js';
import { verifyAccessToken } from './access-tokens.js';
import { tokenSettings } from './token-endpoint.js';

type SenderAndClient = { sender: Sender; clientActive: boolean | null };

/** Sender and client in one round trip, kept in memory until either table changes (see change-feed.ts). */
function senderAndClient(ctx: AppContext, senderId: string, clientId: string): Promise<SenderAndClient | undefined> {
  return ctx.db.changes.cache<SenderAndClient | undefined>('bearer-sender', ['sender', 'oauth_client']).get(`${senderId}\n${clientId}`, async () => {
    const { rows } = await ctx.db.pool.query<Sender & { clientActive: boolean | null }>({
      name: 'bearer-sender',
      text: `SELECT ${SENDER_COLUMNS}, c.active AS "clientActive" FROM sender s LEFT JOIN oauth_client c ON c.client_id = $2 AND c.sender_id = s.id WHERE s.sender_id = $1`,
      values: [senderId, clientId],
    });
    if (!rows[0]) return undefined;
    const { clientActive, ...sender } = rows[0];
    return { sender, clientActive };
  });
}

/**
 * The sender behind `Authorization: Bearer`: a valid token of ours (signature, issuer, audience,
 * expiry), from a client that is still enabled, of a sender that is known and active.
 */
export async function authenticateBearer(ctx: AppContext, authorization: string | undefined): Promise<{ sender: Sender; scopes: string[] }> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) throw new DciError('err.auth.missing_token', 'An Authorization: Bearer token is required (POST /oauth2/client/token)');
  const claims = await verifyAccessToken(ctx.keyring, tokenSettings(ctx), token);
  const found = await senderAndClient(ctx, claims.senderId, claims.clientId);
  const active = checkActive(found?.sender, claims.senderId);
  // Tokens from private_key_jwt name the sender itself; the others name an OAuth client, which may since have been disabled.
  if (claims.clientId !== active.senderId && !found?.clientActive) throw new DciError('err.auth.invalid_token', 'The client this token was issued to is disabled');
  return { sender: active, scopes: claims.scopes };
}
