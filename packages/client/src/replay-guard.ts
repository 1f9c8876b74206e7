/**
 * Remembers which message_ids a receiver has taken. A signed message is only valid for its
 * signature's lifetime (at most 5 minutes, plus a minute of clock skew), so remembering ids a bit
 * longer than that is enough: an older replay fails the signature check anyway.
 */
export interface ReplayGuard {
  /** true the first time (sender, message_id) is seen, false for a replay. */
  firstSeen(senderId: string, messageId: string): boolean | Promise<boolean>;
  /** Lets the message be taken again (its handler failed, so the sender's retry is not a replay). */
  forget(senderId: string, messageId: string): void | Promise<void>;
}

/** In-process ReplayGuard (use a shared store, e.g. a database key, when several processes receive). */
export class MemoryReplayGuard implements ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly maxEntries = 100_000,
  ) {}

  firstSeen(senderId: string, messageId: string): boolean {
    const now = Date.now();
    this.evict(now);
    const key = `${senderId}\n${messageId}`;
    if (this.seen.has(key)) return false;
    this.seen.set(key, now + this.ttlMs);
    return true;
  }

  forget(senderId: string, messageId: string): void {
    this.seen.delete(`${senderId}\n${messageId}`);
  }

  /** Map keeps insertion order, which is expiry order: drop from the front. */
  private evict(now: number): void {
    for (const [key, expires] of this.seen) {
      if (expires > now && this.seen.size < this.maxEntries) break;
      this.seen.delete(key);
    }
  }
}
