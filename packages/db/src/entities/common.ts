
/** Columns every table of ours has: a UUID key and creation/update times kept by the database. */
export const timestamps = {
  createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
  updatedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() },
} as const;

export const uuidPrimaryKey = { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' } as const;

