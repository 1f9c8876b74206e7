import { Migration } from '@mikro-orm/migrations';

/** Subscriber health for pausing dead endpoints, and the outbox trigger that wakes the matcher. */
export class Migration20261125040000_notifications extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "subscription" add column "consecutive_failures" int not null default 0, add column "paused_until" timestamptz null;`);
    // Every statement that writes events schedules one matcher run (a job key folds them together).
    this.addSql(`create function "registry_event_wake_matcher"() returns trigger language plpgsql as $$
      begin
        perform graphile_worker.add_job('match-registry-events', '{}'::json, job_key => 'match-registry-events', job_key_mode => 'preserve_run_at');
        return null;
      end $$;`);
    this.addSql(`create trigger "registry_event_wake_matcher" after insert on "registry_event" for each statement execute function "registry_event_wake_matcher"();`);
  }
}
