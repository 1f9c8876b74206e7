import { translateCompactRequest } from '@dci-server/dci';
import type { DciEndpoint } from './call.js';
import { syncEndpoint } from './operations.js';
import { searchOperation } from './search-handler.js';
import { subscribeOperation } from './subscribe-handler.js';
import { verifyOperation } from './verify-handler.js';

/**
 * The compact form of the original module (`{transaction_id, sender_id, search_criteria | verify | subscription}`),
 * translated into the standard message and answered by the same handlers, with the same bearer
 * authentication, header checks and audit. It carries no message signature (it has no envelope).
 */
const compact = (path: string, standard: DciEndpoint): DciEndpoint => ({
  ...standard,
  path,
  compact: true,
  toEnvelope: (body) => {
    // transaction_id doubles as message_id, so a replayed compact request is refused like any other.
    const transactionId = (body as { transaction_id?: unknown } | null)?.transaction_id;
    const { header, message } = translateCompactRequest(body, typeof transactionId === 'string' ? { messageId: transactionId } : {});
    return { header, message };
  },
});

export const compactEndpoints: DciEndpoint[] = [
  compact('/search', syncEndpoint(searchOperation)),
  compact('/verify', syncEndpoint(verifyOperation)),
  compact('/subscribe', syncEndpoint(subscribeOperation)),
];
