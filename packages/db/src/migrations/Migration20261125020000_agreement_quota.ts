import { Migration } from '@mikro-orm/migrations';

/** Items each sender used per UTC day, counted against its data-sharing agreement's daily quota. */
export class Migration20261125020000_agreement_quota extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "agreement_quota_usage" ("sender_id" text not null, "day" date not null, "used" int not null check ("used" >= 0), constraint "agreement_quota_usage_pkey" primary key ("sender_id", "day"));`);
  }
}
