import { Migration } from '@mikro-orm/migrations';

/** How we authenticate when we POST notifications to a sender (secrets sealed with the master key). */
export class Migration20261125060000_notify_auth extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "sender" add column "notify_auth" jsonb null;`);
  }
}
