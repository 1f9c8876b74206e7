/**
 * What a bench run found, gathered from every phase and written at the end as
 * bench/results/<date>.json and bench/results/<date>.md. A phase adds a section of rows (also
 * printed at once), a table of its own columns, or any JSON under a key.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { table, type Row } from './stats.js';

export interface ResultTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

const cell = (value: string | number) => (typeof value === 'number' ? (Number.isFinite(value) ? String(Number(value.toPrecision(4))) : 'n/a') : value);

export function markdownTable(t: ResultTable): string {
  return [`### ${t.title}`, '', `| ${t.columns.join(' | ')} |`, `|${t.columns.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

export class BenchResults {
  readonly sections: { title: string; rows: Row[] }[] = [];
  readonly tables: ResultTable[] = [];
  readonly data: Record<string, unknown> = {};

  constructor(readonly startedAt = new Date()) {}

  /** Rows of name / value / unit, printed now. */
  section(title: string, rows: Row[]): void {
    this.sections.push({ title, rows });
    console.log(table(title, rows));
  }

  /** A table with columns of its own (e.g. one row per target), printed now as markdown. */
  table(t: ResultTable): void {
    this.tables.push(t);
    console.log(`\n${markdownTable(t)}`);
  }

  /** Machine-readable figures of a phase, kept in the JSON under `key`. */
  set(key: string, value: unknown): void {
    this.data[key] = value;
  }

  /** Writes <dir>/<date>.json and <dir>/<date>.md (date: UTC, to the second); returns both paths. */
  async write(dir: string): Promise<{ json: string; markdown: string }> {
    await fs.mkdir(dir, { recursive: true });
    const stamp = this.startedAt.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
    const json = path.join(dir, `${stamp}.json`);
    const markdown = path.join(dir, `${stamp}.md`);
    await fs.writeFile(json, `${JSON.stringify({ startedAt: this.startedAt.toISOString(), tables: this.tables, sections: this.sections, ...this.data }, null, 2)}\n`);
    const sectionTables = this.sections.map((s) => markdownTable({ title: s.title, columns: ['name', 'value', 'unit'], rows: s.rows.map((r) => [r.name, r.value, r.unit]) }));
    await fs.writeFile(markdown, `# Bench ${this.startedAt.toISOString()}\n\n${[...this.tables.map(markdownTable), ...sectionTables].join('\n\n')}\n`);
    return { json, markdown };
  }
}
