import type pg from 'pg';
import { recordTransaction, recordTransactions, type AuditEntry } from './audit.js';

interface Waiting {
  entry: AuditEntry;
  resolve: (id: string) => void;
  reject: (error: unknown) => void;
}

/** Audit records of concurrent calls in one INSERT; a bigger backlog goes in several. */
const MAX_BATCH = 256;

/**
 * Group commit for the audit records of answered calls: while one INSERT is on its way, the
 * records of the calls that finish meanwhile wait, then go together in the next one. Each call
 * still waits until its own record is committed before its answer leaves. One call alone is
 * written at once, as before. When a group fails, its records are written one by one, so a
 * record the database refuses fails only its own call.
 */
export class AuditWriter {
  private waiting: Waiting[] = [];
  private writing = false;

  constructor(private readonly pool: pg.Pool) {}

  write(entry: AuditEntry): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ entry, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length) {
        const group = this.waiting.splice(0, MAX_BATCH);
        try {
          const ids = group.length === 1 ? [await recordTransaction(this.pool, group[0]!.entry)] : await recordTransactions(this.pool, group.map((w) => w.entry));
          group.forEach((w, i) => w.resolve(ids[i]!));
        } catch (error) {
          if (group.length === 1) group[0]!.reject(error);
          else await Promise.all(group.map((w) => recordTransaction(this.pool, w.entry).then(w.resolve, w.reject)));
        }
      }
    } finally {
      this.writing = false;
    }
  }
}

const writers = new WeakMap<pg.Pool, AuditWriter>();

/** The audit writer of `pool` (one per pool, so per database). */
export function auditWriter(pool: pg.Pool): AuditWriter {
  let writer = writers.get(pool);
  if (!writer) writers.set(pool, (writer = new AuditWriter(pool)));
  return writer;
}
