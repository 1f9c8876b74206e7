import { Migration20261125000000_initial } from './Migration20261125000000_initial.js';
import { Migration20261125010000_transaction_result } from './Migration20261125010000_transaction_result.js';

/** Every migration, in order; listed explicitly so that no file globbing is needed at run time. */
export const migrationsList = [
  { name: 'Migration20261125000000_initial', class: Migration20261125000000_initial },
  { name: 'Migration20261125010000_transaction_result', class: Migration20261125010000_transaction_result },
];
