import { Migration } from '@mikro-orm/migrations';

/**
 * The audit record keeps a SHA-256 of the request body as received: the stored request is made
 * storable (U+0000 and unpaired surrogates escaped, secrets redacted, size capped), the digest
 * still identifies the exact bytes. Written once, like the request itself.
 */
export class Migration20261126000000_request_digest extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "dci_transaction" add column "request_sha256" text null;`);
    this.addSql(`create or replace function "dci_transaction_append_only"() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          raise exception 'dci_transaction % is append-only', old.id;
        end if;
        if new.request is distinct from old.request or new.response is distinct from old.response
           or new.request_sha256 is distinct from old.request_sha256
           or new.http_status is distinct from old.http_status or new.sender_id is distinct from old.sender_id
           or new.created_at is distinct from old.created_at then
          raise exception 'dci_transaction % is append-only', old.id;
        end if;
        return new;
      end $$;`);
  }
}
