import { DciError } from '@dci-server/dci';
import type { Sender } from '@dci-server/db';
import type { Config } from '../config.js';
import type { DciEndpoint } from './call.js';

const SUPPORTED_VERSIONS = ['1.0.0'];
const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * The header rules, checked before the full schema so that each fault gets its own code:
 * version, action, sender_id, receiver_id, message_ts (with a zone, within the clock window)
 * and total_count against the number of items (at most SYNC_MAX_ITEMS on sync endpoints).
 */
export function checkHeader(config: Config, endpoint: DciEndpoint, sender: Sender, envelope: Record<string, unknown>, now = Date.now()): void {
  const header = envelope.header as Record<string, unknown> | undefined;
  if (!header || typeof header !== 'object') throw new DciError('err.request.bad', 'The envelope has no header');
  const version = header.version ?? '1.0.0';
  if (typeof version !== 'string' || !SUPPORTED_VERSIONS.includes(version)) throw new DciError('rjct.version.invalid', `Unsupported version ${JSON.stringify(version)}; supported: ${SUPPORTED_VERSIONS.join(', ')}`);
  if (header.action !== endpoint.action) throw new DciError('rjct.action.invalid', `header.action must be "${endpoint.action}" on ${endpoint.path}, not ${JSON.stringify(header.action)}`);
  if (header.sender_id !== sender.senderId) throw new DciError('rjct.sender_id.invalid', `header.sender_id ${JSON.stringify(header.sender_id)} does not match the authenticated sender ${sender.senderId}`);
  if (header.receiver_id !== undefined && header.receiver_id !== config.receiverId) {
    throw new DciError('rjct.receiver_id.invalid', `header.receiver_id must be "${config.receiverId}" when present`);
  }
  if (typeof header.message_id !== 'string' || !header.message_id.trim()) throw new DciError('err.request.bad', 'header.message_id is required');
  const ts = header.message_ts;
  if (typeof ts !== 'string' || !HAS_ZONE.test(ts) || Number.isNaN(Date.parse(ts))) {
    throw new DciError('rjct.message_ts.invalid', 'header.message_ts must be an ISO 8601 date-time with a time zone, e.g. 2026-11-25T10:00:00Z');
  }
  const skew = Math.abs(Date.parse(ts) - now) / 1000;
  if (skew > config.clockSkewSeconds) throw new DciError('rjct.message_ts.invalid', `header.message_ts is ${Math.round(skew)} s away from our clock (allowed: ${config.clockSkewSeconds} s)`);
  const message = envelope.message as Record<string, unknown> | undefined;
  const items = message && typeof message === 'object' ? message[endpoint.itemsField] : undefined;
  const count = Array.isArray(items) ? items.length : items && typeof items === 'object' ? 1 : undefined;
  if (count !== undefined && header.total_count !== count) {
    throw new DciError('rjct.total_count.invalid', `header.total_count is ${JSON.stringify(header.total_count)} but message.${endpoint.itemsField} has ${count}`);
  }
  if (endpoint.sync && count !== undefined && count > config.sync.maxItems) {
    throw new DciError('rjct.total_count.limit_exceeded', `A sync request may carry at most ${config.sync.maxItems} items (this one has ${count}): split it, or send it to the async endpoint, which answers by callback`);
  }
}
