import { Migration } from '@mikro-orm/migrations';

/** The initial schema, generated from the entities, plus the constraints entities cannot express. */
export class Migration20261125000000_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "dci_transaction" ("id" uuid not null default gen_random_uuid(), "transaction_id" text null, "message_id" text null, "correlation_id" text null, "sender_id" text null, "operation" text not null, "endpoint" text not null, "request" jsonb null, "response" jsonb null, "http_status" int not null, "dci_status" text not null, "reason_code" text null, "duration_ms" int not null, "client_address" text null, "created_at" timestamptz not null default now(), "async_status" text null, "completed_count" int not null default 0, "total_count" int null, "callback_status" text null, "callback_attempts" int null, "callback_error" text null, "completed_at" timestamptz null, constraint "dci_transaction_pkey" primary key ("id"));`);
    this.addSql(`alter table "dci_transaction" add constraint "dci_transaction_correlation_id_unique" unique ("correlation_id");`);
    this.addSql(`create index "dci_transaction_sender_id_transaction_id_index" on "dci_transaction" ("sender_id", "transaction_id");`);
    this.addSql(`create index "dci_transaction_sender_id_message_id_index" on "dci_transaction" ("sender_id", "message_id");`);
    this.addSql(`create index "dci_transaction_created_at_index" on "dci_transaction" ("created_at");`);

    this.addSql(`create table "message_receipt" ("sender_id" text not null, "message_id" text not null, "received_at" timestamptz not null default now(), constraint "message_receipt_pkey" primary key ("sender_id", "message_id"));`);

    this.addSql(`create table "person" ("id" uuid not null default gen_random_uuid(), "given_name" text not null, "surname" text not null, "second_name" text null, "prefix" text null, "suffix" text null, "sex" text not null, "birth_date" date null, "birth_place" text null, "death_date" date null, "marital_status" text null, "is_disabled" boolean not null default false, "street_address" text null, "city" text null, "location" text null, "postal_code" text null, "country" text null, "phone_numbers" text[] not null default '{}', "emails" text[] not null default '{}', "extra" jsonb null, "registration_date" timestamptz not null default now(), "last_updated" timestamptz not null default now(), "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "person_pkey" primary key ("id"));`);
    this.addSql(`create index "person_surname_given_name_index" on "person" ("surname", "given_name");`);
    this.addSql(`create index "person_birth_date_index" on "person" ("birth_date");`);
    this.addSql(`create index "person_location_index" on "person" ("location");`);
    this.addSql(`create index "person_last_updated_index" on "person" ("last_updated");`);

    this.addSql(`create table "person_identifier" ("id" bigserial primary key, "person_id" uuid not null, "identifier_type" text not null, "identifier_value" text not null);`);
    this.addSql(`create index "person_identifier_person_id_index" on "person_identifier" ("person_id");`);
    this.addSql(`alter table "person_identifier" add constraint "person_identifier_identifier_type_identifier_value_unique" unique ("identifier_type", "identifier_value");`);

    this.addSql(`create table "registry_event" ("id" bigserial primary key, "event_type" text not null, "record_kind" text not null, "record_id" uuid not null, "payload" jsonb null, "created_at" timestamptz not null default now(), "matched_at" timestamptz null);`);
    this.addSql(`create index "registry_event_matched_at_index" on "registry_event" ("matched_at");`);

    this.addSql(`create table "registry_group" ("id" uuid not null default gen_random_uuid(), "identifier_type" text not null, "identifier_value" text not null, "group_type" text not null, "head_id" uuid null, "group_size" int not null default 0, "poverty_score" double precision null, "poverty_score_type" text null, "street_address" text null, "city" text null, "location" text null, "postal_code" text null, "country" text null, "latitude" double precision null, "longitude" double precision null, "extra" jsonb null, "registration_date" timestamptz not null default now(), "last_updated" timestamptz not null default now(), "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "registry_group_pkey" primary key ("id"));`);
    this.addSql(`create index "registry_group_head_id_index" on "registry_group" ("head_id");`);
    this.addSql(`create index "registry_group_location_index" on "registry_group" ("location");`);
    this.addSql(`create index "registry_group_poverty_score_index" on "registry_group" ("poverty_score");`);
    this.addSql(`create index "registry_group_group_size_index" on "registry_group" ("group_size");`);
    this.addSql(`create index "registry_group_last_updated_index" on "registry_group" ("last_updated");`);
    this.addSql(`alter table "registry_group" add constraint "registry_group_identifier_type_identifier_value_unique" unique ("identifier_type", "identifier_value");`);

    this.addSql(`create table "group_membership" ("group_id" uuid not null, "person_id" uuid not null, "relationship" text not null, "is_head" boolean not null default false, constraint "group_membership_pkey" primary key ("group_id", "person_id"));`);
    this.addSql(`create index "group_membership_person_id_index" on "group_membership" ("person_id");`);

    this.addSql(`create table "sender" ("id" uuid not null default gen_random_uuid(), "sender_id" text not null, "name" text not null, "description" text null, "contact" text null, "active" boolean not null default true, "allowed_operations" text[] not null default '{}', "sender_uri" text null, "preferred_scheme" text not null default 'dci-signature', "allowed_callback_origins" text[] not null default '{}', "allow_loopback_callbacks" boolean not null default false, "allow_unsigned" boolean not null default false, "rate_limit_per_minute" int null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "sender_pkey" primary key ("id"));`);
    this.addSql(`alter table "sender" add constraint "sender_sender_id_unique" unique ("sender_id");`);

    this.addSql(`create table "oauth_client" ("id" uuid not null default gen_random_uuid(), "client_id" text not null, "sender_id" uuid not null, "secret_hash" text not null, "active" boolean not null default true, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "oauth_client_pkey" primary key ("id"));`);
    this.addSql(`alter table "oauth_client" add constraint "oauth_client_client_id_unique" unique ("client_id");`);
    this.addSql(`create index "oauth_client_sender_id_index" on "oauth_client" ("sender_id");`);

    this.addSql(`create table "data_sharing_agreement" ("id" uuid not null default gen_random_uuid(), "sender_id" uuid not null, "name" text not null, "purpose" text not null, "legal_basis" text null, "valid_from" timestamptz null, "valid_to" timestamptz null, "active" boolean not null default true, "allowed_reg_types" text[] not null default '{}', "allowed_record_types" text[] not null default '{}', "allowed_query_types" text[] not null default '{}', "allowed_attributes" text[] not null default '{}', "max_page_size" int null, "daily_quota" int null, "field_rules" jsonb not null default '[]', "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "data_sharing_agreement_pkey" primary key ("id"));`);
    this.addSql(`create index "data_sharing_agreement_sender_id_index" on "data_sharing_agreement" ("sender_id");`);

    this.addSql(`create table "sender_key" ("id" uuid not null default gen_random_uuid(), "sender_id" uuid not null, "key_id" text not null, "algorithm" text not null, "public_jwk" jsonb not null, "fingerprint" text not null, "not_before" timestamptz null, "not_after" timestamptz null, "revoked" boolean not null default false, "created_at" timestamptz not null default now(), constraint "sender_key_pkey" primary key ("id"));`);
    this.addSql(`alter table "sender_key" add constraint "sender_key_sender_id_key_id_unique" unique ("sender_id", "key_id");`);

    this.addSql(`create table "server_key" ("id" uuid not null default gen_random_uuid(), "kid" text not null, "algorithm" text not null, "state" text not null default 'pending', "public_jwk" jsonb not null, "private_key_encrypted" text not null, "created_at" timestamptz not null default now(), "activated_at" timestamptz null, "retiring_at" timestamptz null, "retired_at" timestamptz null, constraint "server_key_pkey" primary key ("id"));`);
    this.addSql(`alter table "server_key" add constraint "server_key_kid_unique" unique ("kid");`);

    this.addSql(`create table "staff_user" ("id" uuid not null default gen_random_uuid(), "email" text not null, "name" text not null, "password_hash" text not null, "role" text not null default 'admin', "active" boolean not null default true, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "staff_user_pkey" primary key ("id"));`);
    this.addSql(`alter table "staff_user" add constraint "staff_user_email_unique" unique ("email");`);

    this.addSql(`create table "subscription" ("id" uuid not null default gen_random_uuid(), "code" text not null, "sender_id" uuid not null, "event_type" text not null, "reg_type" text null, "record_type" text not null, "callback_url" text not null, "filter_type" text null, "filter" jsonb null, "frequency" jsonb null, "active" boolean not null default true, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "subscription_pkey" primary key ("id"));`);
    this.addSql(`alter table "subscription" add constraint "subscription_code_unique" unique ("code");`);
    this.addSql(`create index "subscription_sender_id_index" on "subscription" ("sender_id");`);
    this.addSql(`create index "subscription_event_type_active_index" on "subscription" ("event_type", "active");`);

    this.addSql(`create table "notification_delivery" ("id" uuid not null default gen_random_uuid(), "subscription_id" uuid not null, "event_id" bigint not null, "idempotency_key" text not null, "status" text not null default 'pending', "attempts" int not null default 0, "next_attempt_at" timestamptz null, "last_http_status" int null, "last_error" text null, "delivered_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "notification_delivery_pkey" primary key ("id"));`);
    this.addSql(`create index "notification_delivery_subscription_id_index" on "notification_delivery" ("subscription_id");`);
    this.addSql(`create index "notification_delivery_event_id_index" on "notification_delivery" ("event_id");`);
    this.addSql(`alter table "notification_delivery" add constraint "notification_delivery_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "notification_delivery_status_index" on "notification_delivery" ("status");`);

    this.addSql(`create table "delivery_attempt" ("id" bigserial primary key, "delivery_id" uuid not null, "attempted_at" timestamptz not null default now(), "http_status" int null, "latency_ms" int null, "error" text null);`);
    this.addSql(`create index "delivery_attempt_delivery_id_index" on "delivery_attempt" ("delivery_id");`);

    this.addSql(`alter table "person_identifier" add constraint "person_identifier_person_id_foreign" foreign key ("person_id") references "person" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "registry_group" add constraint "registry_group_head_id_foreign" foreign key ("head_id") references "person" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "group_membership" add constraint "group_membership_group_id_foreign" foreign key ("group_id") references "registry_group" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "group_membership" add constraint "group_membership_person_id_foreign" foreign key ("person_id") references "person" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "oauth_client" add constraint "oauth_client_sender_id_foreign" foreign key ("sender_id") references "sender" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "data_sharing_agreement" add constraint "data_sharing_agreement_sender_id_foreign" foreign key ("sender_id") references "sender" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "sender_key" add constraint "sender_key_sender_id_foreign" foreign key ("sender_id") references "sender" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "subscription" add constraint "subscription_sender_id_foreign" foreign key ("sender_id") references "sender" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "notification_delivery" add constraint "notification_delivery_subscription_id_foreign" foreign key ("subscription_id") references "subscription" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "notification_delivery" add constraint "notification_delivery_event_id_foreign" foreign key ("event_id") references "registry_event" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "delivery_attempt" add constraint "delivery_attempt_delivery_id_foreign" foreign key ("delivery_id") references "notification_delivery" ("id") on update cascade on delete cascade;`);

    // Exactly one active signing key at a time.
    this.addSql(`create unique index "server_key_single_active" on "server_key" ("state") where "state" = 'active';`);
    // The outbox matcher reads only unmatched events.
    this.addSql(`create index "registry_event_unmatched" on "registry_event" ("id") where "matched_at" is null;`);
    // Audit records are append-only: what was received and answered never changes afterwards.
    this.addSql(`create function "dci_transaction_append_only"() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          raise exception 'dci_transaction % is append-only', old.id;
        end if;
        if new.request is distinct from old.request or new.response is distinct from old.response
           or new.http_status is distinct from old.http_status or new.sender_id is distinct from old.sender_id
           or new.created_at is distinct from old.created_at then
          raise exception 'dci_transaction % is append-only', old.id;
        end if;
        return new;
      end $$;`);
    this.addSql(`create trigger "dci_transaction_append_only" before update on "dci_transaction" for each row execute function "dci_transaction_append_only"();`);
    this.addSql(`create trigger "dci_transaction_no_delete" before delete on "dci_transaction" for each row execute function "dci_transaction_append_only"();`);
  }
}
