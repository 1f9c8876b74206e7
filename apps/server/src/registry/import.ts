import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { EntityManager } from '@mikro-orm/postgresql';
import { analyzeRegistry } from './analyze.js';
import { parseRecord } from './record-input.js';
import { upsertGroup, upsertPerson } from './registry-writes.js';

export interface ImportReport {
  lines: number;
  created: number;
  updated: number;
  errors: { line: number; message: string }[];
}

/**
 * Imports DCI Person/Group records, one per line. Each line is its own transaction: good lines
 * are kept, bad ones are reported with their line number. Re-importing updates, never duplicates.
 * Statistics are refreshed afterwards (ANALYZE), as after any bulk load.
 */
export async function importNdjson(em: EntityManager, file: string): Promise<ImportReport> {
  const report: ImportReport = { lines: 0, created: 0, updated: 0, errors: [] };
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber++;
    if (!text.trim()) continue;
    report.lines++;
    try {
      const record = parseRecord(JSON.parse(text));
      const { created } = await em.fork().transactional<{ created: boolean }>((tx) => (record.kind === 'Group' ? upsertGroup(tx, record.group) : upsertPerson(tx, record.person)));
      if (created) report.created++;
      else report.updated++;
    } catch (error) {
      report.errors.push({ line: lineNumber, message: error instanceof SyntaxError ? `invalid JSON: ${error.message}` : (error as Error).message });
    }
  }
  if (report.created + report.updated) await analyzeRegistry((sql) => em.getConnection().execute(sql));
  return report;
}
