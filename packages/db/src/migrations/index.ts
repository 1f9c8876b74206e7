import { Migration20261125000000_initial } from './Migration20261125000000_initial.js';

/** Every migration, in order; listed explicitly so that no file globbing is needed at run time. */
export const migrationsList = [{ name: 'Migration20261125000000_initial', class: Migration20261125000000_initial }];
