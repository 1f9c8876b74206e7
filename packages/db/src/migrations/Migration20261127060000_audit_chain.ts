import { Migration } from '@mikro-orm/migrations';

/**
 * Tamper-evident audit: every dci_transaction row is sealed into a hash chain (chain_seq, the
 * previous row's hash, its own hash) by the sealer (apps/server/src/transactions/audit-chain.ts).
 * Rows are sealed after they commit, in sealing order, so concurrent writers and several servers
 * need no lock on the hot path. The chain columns may be set once and never changed; the columns
 * the hash covers can no longer be updated at all.
 */
export class Migration20261127060000_audit_chain extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "dci_transaction" add column "chain_seq" bigint null, add column "chain_prev" text null, add column "chain_hash" text null;`);
    this.addSql(`create index "dci_transaction_chain_seq_idx" on "dci_transaction" ("chain_seq") where "chain_seq" is not null;`);
    this.addSql(`create index "dci_transaction_unsealed_idx" on "dci_transaction" ("created_at", "id") where "chain_seq" is null;`);
    this.addSql(`create or replace function "dci_transaction_append_only"() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          raise exception 'dci_transaction % is append-only', old.id;
        end if;
        if new.id is distinct from old.id or new.created_at is distinct from old.created_at
           or new.transaction_id is distinct from old.transaction_id or new.message_id is distinct from old.message_id
           or new.correlation_id is distinct from old.correlation_id or new.sender_id is distinct from old.sender_id
           or new.operation is distinct from old.operation or new.endpoint is distinct from old.endpoint
           or new.request is distinct from old.request or new.request_sha256 is distinct from old.request_sha256
           or new.response is distinct from old.response or new.http_status is distinct from old.http_status
           or new.dci_status is distinct from old.dci_status or new.reason_code is distinct from old.reason_code
           or new.duration_ms is distinct from old.duration_ms or new.client_address is distinct from old.client_address then
          raise exception 'dci_transaction % is append-only', old.id;
        end if;
        if old.chain_seq is not null and (new.chain_seq is distinct from old.chain_seq
           or new.chain_prev is distinct from old.chain_prev or new.chain_hash is distinct from old.chain_hash) then
          raise exception 'dci_transaction % is already sealed', old.id;
        end if;
        return new;
      end $$;`);
  }
}
