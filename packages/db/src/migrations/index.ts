import { Migration20261125000000_initial } from './Migration20261125000000_initial.js';
import { Migration20261125010000_transaction_result } from './Migration20261125010000_transaction_result.js';
import { Migration20261125020000_agreement_quota } from './Migration20261125020000_agreement_quota.js';
import { Migration20261125030000_rate_window } from './Migration20261125030000_rate_window.js';
import { Migration20261125040000_notifications } from './Migration20261125040000_notifications.js';
import { Migration20261125050000_async_chunks } from './Migration20261125050000_async_chunks.js';
import { Migration20261125060000_notify_auth } from './Migration20261125060000_notify_auth.js';
import { Migration20261125070000_digests } from './Migration20261125070000_digests.js';
import { Migration20261125080000_worker_heartbeat } from './Migration20261125080000_worker_heartbeat.js';
import { Migration20261126000000_request_digest } from './Migration20261126000000_request_digest.js';
import { Migration20261126100000_staff_access } from './Migration20261126100000_staff_access.js';
import { Migration20261126150000_delivery_console } from './Migration20261126150000_delivery_console.js';
import { Migration20261126160000_transaction_audit } from './Migration20261126160000_transaction_audit.js';
import { Migration20261127010000_change_notifications } from './Migration20261127010000_change_notifications.js';
import { Migration20261127020000_registry_search_indexes } from './Migration20261127020000_registry_search_indexes.js';
import { Migration20261127050000_transaction_partitions } from './Migration20261127050000_transaction_partitions.js';
import { Migration20261127060000_audit_chain } from './Migration20261127060000_audit_chain.js';

/** Every migration, in order; listed explicitly so that no file globbing is needed at run time. */
export const migrationsList = [
  { name: 'Migration20261125000000_initial', class: Migration20261125000000_initial },
  { name: 'Migration20261125010000_transaction_result', class: Migration20261125010000_transaction_result },
  { name: 'Migration20261125020000_agreement_quota', class: Migration20261125020000_agreement_quota },
  { name: 'Migration20261125030000_rate_window', class: Migration20261125030000_rate_window },
  { name: 'Migration20261125040000_notifications', class: Migration20261125040000_notifications },
  { name: 'Migration20261125050000_async_chunks', class: Migration20261125050000_async_chunks },
  { name: 'Migration20261125060000_notify_auth', class: Migration20261125060000_notify_auth },
  { name: 'Migration20261125070000_digests', class: Migration20261125070000_digests },
  { name: 'Migration20261125080000_worker_heartbeat', class: Migration20261125080000_worker_heartbeat },
  { name: 'Migration20261126000000_request_digest', class: Migration20261126000000_request_digest },
  { name: 'Migration20261126100000_staff_access', class: Migration20261126100000_staff_access },
  { name: 'Migration20261126150000_delivery_console', class: Migration20261126150000_delivery_console },
  { name: 'Migration20261126160000_transaction_audit', class: Migration20261126160000_transaction_audit },
  { name: 'Migration20261127010000_change_notifications', class: Migration20261127010000_change_notifications },
  { name: 'Migration20261127020000_registry_search_indexes', class: Migration20261127020000_registry_search_indexes },
  { name: 'Migration20261127050000_transaction_partitions', class: Migration20261127050000_transaction_partitions },
  { name: 'Migration20261127060000_audit_chain', class: Migration20261127060000_audit_chain },
];
