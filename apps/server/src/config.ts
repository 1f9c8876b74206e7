import path from 'node:path';
import { z } from 'zod';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  TRUST_PROXY: z.string().default('loopback'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  DATABASE_READ_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  DATA_DIR: z.string().default('.data'),
  DB_POOL_SIZE: z.coerce.number().int().min(2).max(100).default(10),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  PUBLIC_URL: z.string().url('must be an absolute URL such as https://dci.example.org').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEMO_DATA: booleanFromEnv.optional(),
  DEMO_PERSONS: z.coerce.number().int().min(0).default(10_000),
  MASTER_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32 || /^[0-9a-f]{64}$/i.test(v), 'must be 32 bytes, base64 or hex (openssl rand -base64 32)')
    .optional(),
  RUN_WORKER: booleanFromEnv.default(true),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must look like 1mb or 512kb').default('1mb'),
  JSON_MAX_DEPTH: z.coerce.number().int().min(8).max(100).default(32),
  JSON_MAX_STRING_LENGTH: z.coerce.number().int().min(256).default(16_384),
  MAX_ID_LENGTH: z.coerce.number().int().min(36).max(500).default(128),
  RECEIVER_ID: z.string().min(1).default('dci-server'),
  CLOCK_SKEW_SECONDS: z.coerce.number().int().min(1).default(300),
  MAX_PAGE_SIZE: z.coerce.number().int().min(1).default(1000),
  ASYNC_MAX_PAGE_SIZE: z.coerce.number().int().min(1).default(100_000),
  ASYNC_CHUNK_SIZE: z.coerce.number().int().min(1).default(500),
  TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  KEY_OVERLAP_SECONDS: z.coerce.number().int().min(0).default(86_400),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  DELIVERY_RETRY_WINDOW_SECONDS: z.coerce.number().min(0).default(86_400),
  DELIVERY_PAUSE_AFTER_FAILURES: z.coerce.number().int().min(1).default(5),
  DELIVERY_PAUSE_SECONDS: z.coerce.number().min(0).default(600),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  STAFF_SESSION_TTL_SECONDS: z.coerce.number().int().min(60).default(8 * 3600),
  STAFF_MAX_FAILED_LOGINS: z.coerce.number().int().min(1).default(5),
  STAFF_LOCKOUT_SECONDS: z.coerce.number().int().min(0).default(900),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).default(15),
  GRAPHQL_MAX_COST: z.coerce.number().int().min(10).default(5000),
  SYNC_MAX_ITEMS: z.coerce.number().int().min(1).default(100),
  SYNC_MAX_RECORDS: z.coerce.number().int().min(1).default(10_000),
  SYNC_MAX_IN_FLIGHT_PER_SENDER: z.coerce.number().int().min(1).default(4),
  STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(1).default(10_000),
  SYNC_EXACT_COUNT_LIMIT: z.coerce.number().int().min(0).default(1000),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).optional(),
  METRICS_ENABLED: booleanFromEnv.default(true),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters (openssl rand -hex 16)').optional(),
  METRICS_MAX_SENDERS: z.coerce.number().int().min(0).max(10_000).default(100),
  CORS_ORIGINS: z
    .string()
    .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'must be origins such as https://portal.example.org (scheme and host, no path), comma-separated')))
    .default([]),
});

/** Every environment variable the server reads (deployment files and the README are checked against it). */
export const CONFIG_VARIABLES = Object.keys(schema.shape);

export type Config = ReturnType<typeof loadConfig>;

export class ConfigError extends Error {}

/** Reads and validates the environment once; fails with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const blankless = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(blankless);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const dataDir = path.resolve(c.DATA_DIR);
  return {
    port: c.PORT,
    host: c.HOST,
    /** Whose X-Forwarded-For we believe for the client address (Express `trust proxy`: loopback, uniquelocal, CIDR lists). */
    trustProxy: c.TRUST_PROXY,
    databaseUrl: c.DATABASE_URL,
    /** A read replica for registry searches; unset → the primary. */
    databaseReadUrl: c.DATABASE_READ_URL,
    dataDir,
    /** Connections of the pool the request path, jobs and hand-written SQL share (the ORM has its own). */
    dbPoolSize: c.DB_POOL_SIZE,
    embeddedPgPort: c.EMBEDDED_PG_PORT,
    publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ''),
    logLevel: c.LOG_LEVEL,
    // Demo data by default only on the embedded database: a real DATABASE_URL is never seeded unless asked.
    demoData: c.DEMO_DATA ?? !c.DATABASE_URL,
    demoPersons: c.DEMO_PERSONS,
    masterKey: c.MASTER_KEY,
    runWorker: c.RUN_WORKER,
    bodyLimit: c.BODY_LIMIT,
    // Checked on every DCI body right after parsing, before any handler work (ids: message_id, transaction_id, reference_id, ...).
    jsonLimits: { maxDepth: c.JSON_MAX_DEPTH, maxStringLength: c.JSON_MAX_STRING_LENGTH, maxIdLength: c.MAX_ID_LENGTH },
    receiverId: c.RECEIVER_ID,
    clockSkewSeconds: c.CLOCK_SKEW_SECONDS,
    maxPageSize: c.MAX_PAGE_SIZE,
    asyncMaxPageSize: c.ASYNC_MAX_PAGE_SIZE,
    asyncChunkSize: c.ASYNC_CHUNK_SIZE,
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT_MS,
    delivery: {
      maxAttempts: c.DELIVERY_MAX_ATTEMPTS,
      retryWindowSeconds: c.DELIVERY_RETRY_WINDOW_SECONDS,
      pauseAfterFailures: c.DELIVERY_PAUSE_AFTER_FAILURES,
      pauseSeconds: c.DELIVERY_PAUSE_SECONDS,
    },
    workerConcurrency: c.WORKER_CONCURRENCY,
    staff: { sessionTtlSeconds: c.STAFF_SESSION_TTL_SECONDS, maxFailedLogins: c.STAFF_MAX_FAILED_LOGINS, lockoutSeconds: c.STAFF_LOCKOUT_SECONDS },
    graphql: { maxDepth: c.GRAPHQL_MAX_DEPTH, maxCost: c.GRAPHQL_MAX_COST },
    /** What one sync request may cost; larger work goes to the async endpoints. */
    sync: {
      maxItems: c.SYNC_MAX_ITEMS,
      maxRecords: c.SYNC_MAX_RECORDS,
      maxInFlightPerSender: c.SYNC_MAX_IN_FLIGHT_PER_SENDER,
      statementTimeoutMs: c.STATEMENT_TIMEOUT_MS,
      /** A sync search's total_count is counted exactly up to this many matches, estimated beyond (registry/search.ts pageWithCount). */
      exactCountLimit: c.SYNC_EXACT_COUNT_LIMIT,
    },
    /** Requests per minute for senders without a limit of their own; 0 means none. */
    rateLimitPerMinute: c.RATE_LIMIT_PER_MINUTE,
    /** Whole months of the DCI audit log older than this are dropped; unset → kept for ever. */
    auditRetentionDays: c.AUDIT_RETENTION_DAYS,
    /** /metrics: served on the main port when enabled; with a token, only to `Authorization: Bearer <token>`. */
    metrics: { enabled: c.METRICS_ENABLED, token: c.METRICS_TOKEN, maxSenders: c.METRICS_MAX_SENDERS },
    /** Browser origins allowed to call us cross-origin; none by default. */
    corsOrigins: c.CORS_ORIGINS,
    tokenTtlSeconds: c.TOKEN_TTL_SECONDS,
    keyOverlapSeconds: c.KEY_OVERLAP_SECONDS,
  };
}
