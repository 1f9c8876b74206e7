/** Small statistics and printing helpers for the benchmark. */

export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export interface Row {
  name: string;
  value: number | string;
  unit: string;
}

function format(value: number | string): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 1 : abs >= 10 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function table(title: string, rows: readonly Row[]): string {
  const width = Math.max(4, ...rows.map((r) => r.name.length));
  const valueWidth = Math.max(5, ...rows.map((r) => format(r.value).length));
  const lines = [`\n${title}`, `${'name'.padEnd(width)}  ${'value'.padStart(valueWidth)}  unit`, `${'-'.repeat(width)}  ${'-'.repeat(valueWidth)}  ----`];
  for (const r of rows) lines.push(`${r.name.padEnd(width)}  ${format(r.value).padStart(valueWidth)}  ${r.unit}`);
  return lines.join('\n');
}

