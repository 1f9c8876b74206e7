/**
 * Cursors for newest-first lists ordered by (created_at, id): the row's exact position, with
 * created_at as PostgreSQL's text (to the microsecond, which a JS Date would round away).
 */
const POSITION = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const encodeCursor = (createdAt: string, id: string): string => Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');

/** Throws RangeError for anything that is not a cursor of such a list. */
export function decodeCursor(cursor: string): [createdAt: string, id: string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' && POSITION.test(value[0]) && UUID.test(value[1])) return [value[0], value[1]];
  } catch {
    // reported below
  }
  throw new RangeError('not a cursor from this list');
}

export interface Page<T> {
  rows: (T & { cursor: string })[];
  totalCount: number;
  hasNextPage: boolean;
}

/** Cuts `first + 1` rows (each with its `position`) into a page. */
export function toPage<T extends { id: string }>(rows: (T & { position: string })[], first: number, totalCount: number): Page<T> {
  return {
    rows: rows.slice(0, first).map(({ position, ...row }) => ({ ...(row as unknown as T), cursor: encodeCursor(position, row.id) })),
    totalCount,
    hasNextPage: rows.length > first,
  };
}
