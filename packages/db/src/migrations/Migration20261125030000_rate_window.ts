import { Migration } from '@mikro-orm/migrations';

/** Per-sender request counts per minute, shared by every server process. */
export class Migration20261125030000_rate_window extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "rate_window" ("sender_id" text not null, "window_start" timestamptz not null, "count" int not null, constraint "rate_window_pkey" primary key ("sender_id", "window_start"));`);
  }
}
