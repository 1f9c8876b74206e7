import { randomUUID } from 'node:crypto';
import { signedEnvelopeJson, signEnvelope, type OutboundHeader, type SignOptions } from '@dci-server/dci';
import type { Sender } from '@dci-server/db';
import type { Response } from 'express';
import type { AppContext } from '../context.js';
import { JsonText } from '../json-text.js';
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
  return { signature: await signEnvelope(header, message, await signOptions(ctx, sender)), header, message };
}

/** Our signed answer to a call, serialised once (RFC 8785): the text signed is the text audited and sent. */
export async function signedResponse(ctx: AppContext, call: DciCall, action: string, message: Record<string, unknown>, totalCount: number): Promise<JsonText> {
  return new JsonText(await signedEnvelopeJson(responseHeader(ctx, call.sender, action, totalCount), message, await signOptions(ctx, call.sender)));
}

async function signOptions(ctx: AppContext, sender: Sender): Promise<SignOptions> {
  const key = await ctx.keyring.signingKey();
  return { scheme: sender.preferredScheme === 'jws' ? 'jws' : 'dci-signature', privateKey: key.keyObject, kid: key.kid, senderId: ctx.config.receiverId };
}

/** Sends a JSON body, as it is when already serialised. */
export function sendJson(res: Response, status: number, body: unknown): void {
  if (body instanceof JsonText) res.status(status).type('json').send(body.text);
  else res.status(status).json(body);
}
