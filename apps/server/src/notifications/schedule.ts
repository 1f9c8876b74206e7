import cronParser from 'cron-parser';

export interface Frequency {
  start_time?: string;
  end_time?: string;
  /** A cron expression; the spec's example is Quartz-style ("0 0 0 5,15 * ? *": seconds first, year last). */
  frequency: string;
}

/** Quartz's optional 7th field (year) is dropped; the rest is what cron-parser reads (seconds first). */
function cronOf(expression: string): string {
  const fields = expression.trim().split(/\s+/);
  return (fields.length === 7 ? fields.slice(0, 6) : fields).join(' ');
}

/** Throws a readable error for an expression we cannot schedule. */
export function checkFrequency(frequency: Frequency): void {
  try {
    cronParser.parseExpression(cronOf(frequency.frequency), { tz: 'UTC' });
  } catch (error) {
    throw new Error(`frequency "${frequency.frequency}" is not a cron expression: ${(error as Error).message}`, { cause: error });
  }
}

/** The latest scheduled time at or before `now`, inside the subscription's window; undefined if none. */
export function lastFireTime(frequency: Frequency, now: Date): Date | undefined {
  if (frequency.start_time && new Date(frequency.start_time) > now) return undefined;
  const until = frequency.end_time && new Date(frequency.end_time) < now ? new Date(frequency.end_time) : now;
  const previous = cronParser.parseExpression(cronOf(frequency.frequency), { tz: 'UTC', currentDate: new Date(until.getTime() + 1) }).prev().toDate();
  return frequency.start_time && previous < new Date(frequency.start_time) ? undefined : previous;
}
