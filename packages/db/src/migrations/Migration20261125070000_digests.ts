import { Migration } from '@mikro-orm/migrations';

/** When a batched (frequency) subscription last got its digest. */
export class Migration20261125070000_digests extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "subscription" add column "last_digest_at" timestamptz null;`);
  }
}
