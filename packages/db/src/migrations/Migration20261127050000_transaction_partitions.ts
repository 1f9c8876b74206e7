import { Migration } from '@mikro-orm/migrations';

/**
 * The DCI audit log, partitioned by month of `created_at` (UTC), so that it can grow for years and
 * old months can be dropped whole (AUDIT_RETENTION_DAYS) instead of deleted row by row.
 *
 * The existing table is copied into monthly partitions and dropped; every index and trigger it had
 * (whichever migrations added them) is recreated on the partitioned table under the same name.
 * PostgreSQL requires unique keys of a partitioned table to hold the partition key: the primary key
 * becomes (id, created_at), and correlation_id (a server-generated UUID) keeps a plain index.
 * Nothing references dci_transaction by foreign key.
 *
 * Two functions serve the maintenance job: dci_transaction_ensure_partitions(from, to) creates the
 * missing months between two instants, dci_transaction_drop_partitions_before(cutoff) drops the
 * months that ended before the cutoff; both return the partitions' names and serialise on an
 * advisory lock, so that servers and workers may call them at the same time.
 */
export class Migration20261127050000_transaction_partitions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function "dci_transaction_ensure_partitions"(from_ts timestamptz, to_ts timestamptz) returns setof text language plpgsql as $$
      declare
        month timestamp := date_trunc('month', from_ts at time zone 'UTC');
        name text;
      begin
        perform pg_advisory_xact_lock(hashtext('dci-server:dci_transaction-partitions'));
        while month at time zone 'UTC' <= to_ts loop
          name := 'dci_transaction_p' || to_char(month, 'YYYYMM');
          if to_regclass(quote_ident(name)) is null then
            execute format('create table %I partition of "dci_transaction" for values from (%L) to (%L)',
              name, month at time zone 'UTC', (month + interval '1 month') at time zone 'UTC');
            return next name;
          end if;
          month := month + interval '1 month';
        end loop;
      end $$;`);
    this.addSql(`create function "dci_transaction_drop_partitions_before"(cutoff timestamptz) returns setof text language plpgsql as $$
      declare
        part text;
      begin
        perform pg_advisory_xact_lock(hashtext('dci-server:dci_transaction-partitions'));
        for part in
          select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
          where i.inhparent = '"dci_transaction"'::regclass and c.relname ~ '^dci_transaction_p[0-9]{6}$'
          order by c.relname
        loop
          -- A month's partition holds [first day, first day of the next month) in UTC.
          if (to_date(substr(part, 18), 'YYYYMM') + interval '1 month') at time zone 'UTC' <= cutoff then
            execute format('drop table %I', part);
            return next part;
          end if;
        end loop;
      end $$;`);

    this.addSql(`alter table "dci_transaction" rename to "dci_transaction_unpartitioned";`);
    this.addSql(`create table "dci_transaction" (like "dci_transaction_unpartitioned" including defaults including constraints including storage including comments) partition by range ("created_at");`);
    // The months holding existing rows, the last month (room for back-dated rows) and two ahead.
    this.addSql(`select "dci_transaction_ensure_partitions"(least((select min("created_at") from "dci_transaction_unpartitioned"), now() - interval '1 month'), now() + interval '2 months');`);
    this.addSql(`insert into "dci_transaction" select * from "dci_transaction_unpartitioned";`);
    this.addSql(`do $$
      declare
        old_table oid := '"dci_transaction_unpartitioned"'::regclass;
        index_defs text[];
        trigger_defs text[];
        def text;
      begin
        select coalesce(array_agg(pg_get_indexdef(i.indexrelid) order by c.relname), '{}') into index_defs
          from pg_index i join pg_class c on c.oid = i.indexrelid
          where i.indrelid = old_table and not i.indisprimary
            and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid and k.conname = 'dci_transaction_correlation_id_unique');
        select coalesce(array_agg(pg_get_triggerdef(t.oid) order by t.tgname), '{}') into trigger_defs
          from pg_trigger t where t.tgrelid = old_table and not t.tgisinternal;
        drop table "dci_transaction_unpartitioned";
        alter table "dci_transaction" add constraint "dci_transaction_pkey" primary key ("id", "created_at");
        create index "dci_transaction_correlation_id_index" on "dci_transaction" ("correlation_id");
        foreach def in array index_defs loop
          execute replace(def, 'dci_transaction_unpartitioned', 'dci_transaction');
        end loop;
        foreach def in array trigger_defs loop
          execute replace(def, 'dci_transaction_unpartitioned', 'dci_transaction');
        end loop;
      end $$;`);
    this.addSql(`analyze "dci_transaction";`);
  }
}
