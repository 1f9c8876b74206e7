import { Migration } from '@mikro-orm/migrations';

/** How many chunk callbacks of a large async search were sent, so a retry resumes after them. */
export class Migration20261125050000_async_chunks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "dci_transaction" add column "chunks_sent" int not null default 0;`);
  }
}
