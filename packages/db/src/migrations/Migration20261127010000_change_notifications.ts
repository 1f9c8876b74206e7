import { Migration } from '@mikro-orm/migrations';

const WATCHED = ['sender', 'oauth_client', 'sender_key', 'data_sharing_agreement', 'server_key'];

/**
 * Servers keep senders, their clients and keys, agreements and the server's keys in memory on the
 * request path. Every change to those tables, whoever makes it (CLI, GraphQL, another server, plain
 * SQL), notifies `dci_changes` with the table's name at commit, so each server drops what it cached.
 */
export class Migration20261127010000_change_notifications extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create or replace function dci_notify_change() returns trigger language plpgsql as $$
      begin perform pg_notify('dci_changes', tg_table_name); return null; end $$;`);
    for (const table of WATCHED) {
      this.addSql(`create trigger "${table}_notify_change" after insert or update or delete or truncate on "${table}" for each statement execute function dci_notify_change();`);
    }
  }

}
