import { DciError } from '@dci-server/dci';
import type { Sender } from '@dci-server/db';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Where an async answer goes: header.sender_uri, else the sender's registered URI. It must be
 * http(s) and on an origin the sender registered (loopback only for senders allowed it, such as
 * the demo sender). A URI that already ends in the callback action is used as is; otherwise
 * `/registry/<action>` is appended, since senders give either form.
 */
export function callbackUrl(sender: Sender, headerUri: string | null | undefined, action: string): string {
  const base = headerUri ?? sender.senderUri;
  if (!base) throw new DciError('err.sender_uri.invalid', 'No callback address: set header.sender_uri or register a sender URI');
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new DciError('err.sender_uri.invalid', `header.sender_uri is not a URL: ${base}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DciError('err.sender_uri.invalid', 'The callback address must be http(s)');
  const registered = sender.senderUri ? safeOrigin(sender.senderUri) : undefined;
  const allowed = sender.allowedCallbackOrigins.includes(url.origin) || registered === url.origin || (sender.allowLoopbackCallbacks && LOOPBACK.test(url.hostname));
  if (!allowed) throw new DciError('err.sender_uri.invalid', `Callbacks to ${url.origin} are not allowed for ${sender.senderId}; register the origin first`);
  if (!url.pathname.endsWith(`/${action}`)) url.pathname = `${url.pathname.replace(/\/$/, '')}/registry/${action}`;
  return url.toString();
}

function safeOrigin(uri: string): string | undefined {
  try {
    return new URL(uri).origin;
  } catch {
    return undefined;
  }
}
