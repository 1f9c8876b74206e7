import { Option, type Command } from 'commander';
import { resendDeadLetters } from '../notifications/dead-letters.js';
import { setNotifyAuth } from '../notifications/outbound-auth.js';
import { resendDeadLettersMatching } from '../subscriptions/subscription-admin.js';
import { CliError, formatDate, isoDate, positiveInt, printJson, printTable, uuid, withDatabase, withMasterKey } from './cli-support.js';

interface NotifyAuthOptions {
  none?: boolean;
  bearer?: string;
  oauth2TokenUrl?: string;
  clientId?: string;
  clientSecret?: string;
  scope?: string;
}

/** `deliveries …` (notification dead letters) and `senders notify-auth` (how we authenticate to subscribers). */
export function addDeliveryCommands(program: Command): void {
  const deliveries = program.command('deliveries').description('notification deliveries: list them, resend dead letters');

  deliveries
    .command('list')
    .description('deliveries, newest first')
    .addOption(new Option('--status <status>', 'only deliveries in this state').choices(['pending', 'batched', 'failed', 'dead', 'delivered', 'cancelled']))
    .option('--limit <n>', 'how many', positiveInt, 50)
    .option('--json', 'JSON output')
    .action((options: { status?: string; limit: number; json?: boolean }) =>
      withDatabase(async ({ db }) => {
        const { rows } = await db.pool.query<{ id: string; code: string; sender_id: string; event_type: string; status: string; attempts: number; last_error: string | null; updated_at: Date }>(
          `SELECT d.id, s.code, se.sender_id, e.event_type, d.status, d.attempts, d.last_error, d.updated_at
           FROM notification_delivery d JOIN subscription s ON s.id = d.subscription_id JOIN sender se ON se.id = s.sender_id JOIN registry_event e ON e.id = d.event_id
           WHERE $1::text IS NULL OR d.status = $1 ORDER BY d.updated_at DESC LIMIT $2`,
          [options.status ?? null, options.limit],
        );
        if (options.json) return printJson(rows);
        printTable(['id', 'subscription', 'sender', 'event', 'status', 'attempts', 'last error', 'updated'], rows.map((r) => [r.id, r.code, r.sender_id, r.event_type, r.status, String(r.attempts), r.last_error ?? '', formatDate(r.updated_at)]));
      }),
    );

  deliveries
    .command('resend')
    .description('send dead-lettered deliveries again, with fresh attempts')
    .argument('[ids...]', 'delivery ids', uuid)
    .option('--subscription <code>', 'every dead delivery of this subscription')
    .option('--sender <sender_id>', "every dead delivery of this sender's subscriptions")
    .option('--event-type <type>', 'every dead delivery of this event type')
    .option('--since <date>', 'dead-lettered at or after (ISO 8601)', isoDate)
    .option('--until <date>', 'dead-lettered before (ISO 8601)', isoDate)
    .option('--all-dead', 'every dead delivery')
    .action((ids: string[], o: { subscription?: string; sender?: string; eventType?: string; since?: Date; until?: Date; allDead?: boolean }) =>
      withDatabase(async ({ db, audit }) => {
        const filter = Object.fromEntries(Object.entries({ subscriptionCode: o.subscription, senderId: o.sender, eventType: o.eventType, from: o.since, to: o.until }).filter(([, v]) => v !== undefined));
        if (!ids.length && !Object.keys(filter).length && !o.allDead) throw new CliError('name delivery ids, --subscription <code>, --sender, --event-type, --since / --until, or --all-dead');
        if (ids.length && Object.keys(filter).length) throw new CliError('name delivery ids or a filter, not both');
        const resent = ids.length ? await resendDeadLetters(db.pool, { ids }) : await resendDeadLettersMatching(db.pool, filter);
        await audit('resendDeadLetters', o.subscription ?? null, { after: { ...(ids.length ? { ids } : { filter }), resentCount: resent.length } });
        console.log(`${resent.length} deliveries queued again`);
      }),
    );

  program
    .commands.find((c) => c.name() === 'senders')!
    .command('notify-auth')
    .description('how we authenticate our notifications to this sender')
    .argument('<sender_id>')
    .option('--none', 'no Authorization header')
    .option('--bearer <token>', 'a static bearer token')
    .option('--oauth2-token-url <url>', "OAuth2 client credentials against the sender's token endpoint")
    .option('--client-id <id>', 'with --oauth2-token-url')
    .option('--client-secret <secret>', 'with --oauth2-token-url')
    .option('--scope <scope>', 'with --oauth2-token-url')
    .action((senderId: string, o: NotifyAuthOptions) =>
      withMasterKey(async ({ db, masterKey, audit }) => {
        const chosen = [o.none, o.bearer, o.oauth2TokenUrl].filter(Boolean).length;
        if (chosen !== 1) throw new CliError('choose exactly one of --none, --bearer or --oauth2-token-url');
        if (o.oauth2TokenUrl && (!o.clientId || !o.clientSecret)) throw new CliError('--oauth2-token-url needs --client-id and --client-secret');
        const sender = await setNotifyAuth(
          db.orm.em.fork(),
          masterKey,
          senderId,
          o.none ? { type: 'none' } : o.bearer ? { type: 'bearer', token: o.bearer } : { type: 'oauth2', tokenUrl: o.oauth2TokenUrl!, clientId: o.clientId!, clientSecret: o.clientSecret!, ...(o.scope ? { scope: o.scope } : {}) },
        );
        await audit('setNotifyAuth', senderId, { after: { type: sender.notifyAuth?.type ?? 'none' } });
        console.log(`notifications to ${senderId}: ${sender.notifyAuth?.type ?? 'no authentication'}`);
      }),
    );
}
