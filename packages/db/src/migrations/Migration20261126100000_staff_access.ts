import { Migration } from '@mikro-orm/migrations';

/**
 * Staff sign-in (sessions with lockout), personal API tokens for integrators, the staff audit trail,
 * and when each OAuth client last obtained a token (shown to staff).
 */
export class Migration20261126100000_staff_access extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "staff_user" add column "failed_logins" int not null default 0, add column "locked_until" timestamptz null;`);
    this.addSql(`create table "staff_session" (
      "token_hash" text not null primary key,
      "staff_user_id" uuid not null references "staff_user" ("id") on delete cascade,
      "created_at" timestamptz not null default now(),
      "expires_at" timestamptz not null);`);
    this.addSql(`create index "staff_session_expires_at_index" on "staff_session" ("expires_at");`);
    this.addSql(`create table "staff_api_token" (
      "id" uuid not null default gen_random_uuid() primary key,
      "token_hash" text not null unique,
      "staff_user_id" uuid not null references "staff_user" ("id") on delete cascade,
      "name" text not null,
      "role" text not null,
      "created_at" timestamptz not null default now(),
      "expires_at" timestamptz null,
      "last_used_at" timestamptz null,
      "revoked" boolean not null default false);`);
    this.addSql(`create table "staff_audit" (
      "id" bigserial primary key,
      "at" timestamptz not null default now(),
      "actor" text not null,
      "action" text not null,
      "target" text null,
      "before" jsonb null,
      "after" jsonb null);`);
    this.addSql(`create index "staff_audit_at_index" on "staff_audit" ("at");`);
    this.addSql(`alter table "oauth_client" add column "last_used_at" timestamptz null;`);
  }
}
