import { Migration } from '@mikro-orm/migrations';

/** The answer an async transaction produced (written once by its job), for txn status and the console. */
export class Migration20261125010000_transaction_result extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "dci_transaction" add column "result" jsonb null;`);
  }
}
