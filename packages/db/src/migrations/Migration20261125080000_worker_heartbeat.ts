import { Migration } from '@mikro-orm/migrations';

/** Live workers say so every few seconds; jobs locked by a worker that went silent are released. */
export class Migration20261125080000_worker_heartbeat extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "worker_heartbeat" ("worker_id" text not null primary key, "last_seen" timestamptz not null default now());`);
  }
}
