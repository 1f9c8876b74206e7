import pg from 'pg';
import type { Logger } from './logger.js';

/** The channel our triggers notify with the changed table's name (migration 20261127010000). */
export const CHANGES_CHANNEL = 'dci_changes';
/** Tables whose rows the request path keeps in memory; a trigger on each notifies every change. */
export type WatchedTable = 'sender' | 'oauth_client' | 'sender_key' | 'data_sharing_agreement' | 'server_key';

const RECONNECT_MS = 1000;
/** A cached row is reloaded after this long even without a notification: a safety net, not the mechanism. */
const MAX_AGE_MS = 60_000;
const MAX_ENTRIES = 10_000;

/**
 * LISTENs on one connection of its own for changes to the watched tables, whoever makes them
 * (this process, the CLI, the console's GraphQL, another server), and drops what was cached from
 * a table when it changes. While that connection is down nothing is served from memory: every
 * lookup goes to the database, and everything cached is dropped when it comes back.
 */
export class ChangeFeed {
  private client?: pg.Client;
  private listening = false;
  private closed = false;
  private readonly subscribers = new Map<WatchedTable, Set<() => void>>();
  private readonly caches = new Map<string, RowCache<unknown>>();

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
  ) {}

  get isListening(): boolean {
    return this.listening;
  }

  /** Connects and LISTENs; resolves once listening (or once the first attempt failed: it retries). */
  async start(): Promise<void> {
    if (this.closed || this.client) return;
    const client = new pg.Client({ connectionString: this.url });
    this.client = client;
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      this.setListening(false);
      client.end().catch(() => {});
      if (this.closed) return;
      this.logger.warn({ err: error }, 'change feed connection lost; cached senders, keys and agreements are bypassed until it is back');
      setTimeout(() => void this.start(), RECONNECT_MS).unref();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => this.changed(message.payload as WatchedTable));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
      if (this.client === client) this.setListening(true);
    } catch (error) {
      lost(error as Error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.setListening(false);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  /** Calls `listener` whenever `table` changes, and whenever changes may have been missed. */
  subscribe(table: WatchedTable, listener: () => void): void {
    let set = this.subscribers.get(table);
    if (!set) this.subscribers.set(table, (set = new Set()));
    set.add(listener);
  }

  /** The cache named `name` (one per feed, so per database), dropped whenever one of `tables` changes. */
  cache<V>(name: string, tables: readonly WatchedTable[]): RowCache<V> {
    let cache = this.caches.get(name) as RowCache<V> | undefined;
    if (!cache) {
      const created = new RowCache<V>(this);
      for (const table of tables) this.subscribe(table, () => created.clear());
      this.caches.set(name, created as RowCache<unknown>);
      cache = created;
    }
    return cache;
  }

  private changed(table: WatchedTable): void {
    for (const listener of this.subscribers.get(table) ?? []) listener();
  }

  private setListening(listening: boolean): void {
    if (this.listening === listening) return;
    this.listening = listening;
    // Whatever happened while we were not listening is unknown: start from nothing either way.
    for (const set of this.subscribers.values()) for (const listener of set) listener();
  }
}

/** Loaded values by key, kept only while the feed listens and dropped on a change of their tables. */
export class RowCache<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();
  /** Bumped on every drop: a load that started before a drop must not store what it read. */
  private generation = 0;

  constructor(private readonly feed: ChangeFeed) {}

  async get(key: string, load: () => Promise<V>): Promise<V> {
    if (!this.feed.isListening) return load();
    const hit = this.entries.get(key);
    if (hit && performance.now() - hit.at < MAX_AGE_MS) return hit.value;
    const generation = this.generation;
    const value = await load();
    if (generation === this.generation && this.feed.isListening) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, { value, at: performance.now() });
    }
    return value;
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
