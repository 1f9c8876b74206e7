import { Migration } from '@mikro-orm/migrations';

/** Staff pausing a subscription, and what operators see of each delivery attempt. */
export class Migration20261126150000_delivery_console extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "subscription" add column "suspended_at" timestamptz null;`);
    this.addSql(`alter table "delivery_attempt" add column "response_excerpt" text null, add column "next_attempt_at" timestamptz null;`);
    // The console lists a subscription's deliveries newest first.
    this.addSql(`create index "notification_delivery_subscription_created_idx" on "notification_delivery" ("subscription_id", "created_at" desc, "id" desc);`);
  }
}
