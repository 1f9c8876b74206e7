import { Migration } from '@mikro-orm/migrations';

/**
 * The console's transaction audit on millions of rows: pages newest first by sender or by DCI
 * status walk an index instead of filtering the whole log; so do refusals by HTTP status or reason
 * code (partial indexes: only refused calls, a small part of the log, so DCI calls pay little for
 * them). "Any id" finds a record by its transaction, message or correlation id (one index each, the
 * last already unique; combined by a bitmap OR).
 */
export class Migration20261126160000_transaction_audit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "dci_transaction_sender_created_idx" on "dci_transaction" ("sender_id", "created_at" desc, "id" desc);`);
    this.addSql(`create index "dci_transaction_status_created_idx" on "dci_transaction" ("dci_status", "created_at" desc, "id" desc);`);
    this.addSql(`create index "dci_transaction_refused_status_created_idx" on "dci_transaction" ("http_status", "created_at" desc, "id" desc) where "http_status" >= 400;`);
    this.addSql(`create index "dci_transaction_reason_created_idx" on "dci_transaction" ("reason_code", "created_at" desc, "id" desc) where "reason_code" is not null;`);
    this.addSql(`create index "dci_transaction_transaction_id_idx" on "dci_transaction" ("transaction_id");`);
    this.addSql(`create index "dci_transaction_message_id_idx" on "dci_transaction" ("message_id");`);
  }
}
