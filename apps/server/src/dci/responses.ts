import { randomUUID } from 'node:crypto';
import { signEnvelope, type OutboundHeader } from '@dci-server/dci';
import type { Sender } from '@dci-server/db';
import type { AppContext } from '../context.js';
import type { DciCall } from './call.js';

export interface SignedEnvelope {
  signature: string;
  header: OutboundHeader;
  message: Record<string, unknown>;
}

/** Our header for a response or callback to `sender`. */
export function responseHeader(ctx: AppContext, sender: Sender, action: string, totalCount: number, completedCount = totalCount): OutboundHeader {
  return {
    version: '1.0.0',
    message_id: randomUUID(),
    message_ts: new Date().toISOString(),
    action,
    status: 'succ',
    total_count: totalCount,
    completed_count: completedCount,
    sender_id: ctx.config.receiverId,
    receiver_id: sender.senderId,
    is_msg_encrypted: false,
  };
}

/** Signs {header, message} with our active key, in the receiving sender's preferred scheme. */
export async function signFor(ctx: AppContext, sender: Sender, header: OutboundHeader, message: Record<string, unknown>): Promise<SignedEnvelope> {
  const key = await ctx.keyring.signingKey();
  const signature = await signEnvelope(header, message, {
    scheme: sender.preferredScheme === 'jws' ? 'jws' : 'dci-signature',
    privateKey: key.keyObject,
    kid: key.kid,
    senderId: ctx.config.receiverId,
  });
  return { signature, header, message };
}

export function signedResponse(ctx: AppContext, call: DciCall, action: string, message: Record<string, unknown>, totalCount: number): Promise<SignedEnvelope> {
  return signFor(ctx, call.sender, responseHeader(ctx, call.sender, action, totalCount), message);
}
