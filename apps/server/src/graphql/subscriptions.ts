import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Page } from '../pagination/keyset-cursor.js';
import { recordStaffAction } from '../staff/staff-audit.js';
import {
  attemptsOf,
  cancelSubscription,
  countDeadLettersMatching,
  DELIVERY_STATUSES,
  findDelivery,
  findSubscription,
  listDeliveries,
  listSubscriptions,
  pauseSubscription,
  resendDeadLettersMatching,
  resendDelivery,
  resumeSubscription,
  SUBSCRIPTION_STATUSES,
  SubscriptionAdminError,
  type AttemptRow,
  type DeliveryRow,
  type SubscriptionRow,
} from '../subscriptions/subscription-admin.js';
import { connectionOf, pageSize } from './connections.js';
import { MANAGE, READ, type GraphqlContext } from './context.js';
import { UserError, withUserErrors } from './user-errors.js';

@ObjectType({ description: 'One try to POST a notification to the subscriber' })
class DeliveryAttempt {
  @Field(() => Date) attemptedAt!: Date;
  @Field(() => Int, { nullable: true, description: 'null when no answer came (refused, timed out)' }) httpStatus!: number | null;
  @Field(() => Int, { nullable: true }) latencyMs!: number | null;
  @Field(() => String, { nullable: true, description: "the start of the receiver's answer" }) responseExcerpt!: string | null;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => Date, { nullable: true, description: 'when the delivery was to be tried again after this attempt' }) nextAttemptAt!: Date | null;
}

@ObjectType({ description: 'One registry event notified to one subscription' })
class Delivery {
  @Field(() => ID) id!: string;
  @Field(() => String) subscriptionCode!: string;
  @Field(() => ID) eventId!: string;
  @Field(() => String) eventType!: string;
  @Field(() => ID) recordId!: string;
  @Field(() => String, { description: 'pending, batched, delivered, failed (will retry), dead (dead letter) or cancelled' }) status!: string;
  @Field(() => Int, { description: 'attempts since it was last (re)queued' }) attemptCount!: number;
  @Field(() => Date, { nullable: true }) nextAttemptAt!: Date | null;
  @Field(() => Int, { nullable: true }) lastHttpStatus!: number | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => Date, { nullable: true }) deliveredAt!: Date | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType()
class DeliveryConnection extends connectionOf(Delivery, 'Delivery') {}

@ObjectType({ description: "A sender's standing request to be notified of registry events" })
class NotificationSubscription {
  @Field(() => ID) id!: string;
  @Field(() => String) code!: string;
  @Field(() => String) senderId!: string;
  @Field(() => String) eventType!: string;
  @Field(() => String, { nullable: true }) regType!: string | null;
  @Field(() => String) recordType!: string;
  @Field(() => String) callbackUrl!: string;
  @Field(() => String, { nullable: true }) filterType!: string | null;
  @Field(() => GraphQLJSON, { nullable: true }) filter!: unknown;
  @Field(() => GraphQLJSON, { nullable: true, description: 'digest schedule; null: each event at once' }) frequency!: unknown;
  @Field(() => String, { description: SUBSCRIPTION_STATUSES.join(', ') }) status!: string;
  @Field(() => Int, { description: 'failed deliveries in a row' }) consecutiveFailures!: number;
  @Field(() => Date, { nullable: true, description: 'backing_off: deliveries wait until then' }) pausedUntil!: Date | null;
  @Field(() => Date, { nullable: true, description: 'paused: by staff, since then' }) suspendedAt!: Date | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType()
class NotificationSubscriptionConnection extends connectionOf(NotificationSubscription, 'NotificationSubscription') {}

@InputType()
class NotificationSubscriptionFilterInput {
  @Field(() => String, { nullable: true }) senderId?: string;
  @Field(() => String, { nullable: true, description: 'Death, spdci-common:RegistryEventType:Death, …' }) eventType?: string;
  @Field(() => String, { nullable: true, description: SUBSCRIPTION_STATUSES.join(', ') }) status?: string;
  @Field(() => String, { nullable: true, description: `only those with a delivery in this state: ${DELIVERY_STATUSES.join(', ')}` }) deliveryStatus?: string;
}

@InputType({ description: 'Dead letters to resend: every given field must match' })
class DeadLetterFilterInput {
  @Field(() => String, { nullable: true }) senderId?: string;
  @Field(() => String, { nullable: true }) subscriptionCode?: string;
  @Field(() => String, { nullable: true }) eventType?: string;
  @Field(() => Date, { nullable: true, description: 'dead-lettered at or after' }) from?: Date;
  @Field(() => Date, { nullable: true, description: 'dead-lettered before' }) to?: Date;
}

@ObjectType()
class NotificationSubscriptionPayload {
  @Field(() => NotificationSubscription, { nullable: true }) subscription!: NotificationSubscription | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@ObjectType({ description: 'What was queued again: every matching dead letter, not a page of them' })
class ResendPayload {
  @Field(() => Int) resentCount!: number;
  @Field(() => [ID]) deliveryIds!: string[];
  @Field(() => [UserError]) userErrors!: UserError[];
}

function connection<T, N>(page: Page<T>, node: (row: T) => N) {
  return { edges: page.rows.map((row) => ({ cursor: row.cursor, node: node(row) })), pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.rows.at(-1)?.cursor ?? null }, totalCount: page.totalCount };
}

const toDelivery = ({ attempts, ...row }: DeliveryRow): Delivery => ({ ...row, attemptCount: attempts });

/** The filter fields the caller gave (GraphQL passes omitted ones as null or undefined). */
function given<T extends object>(filter: T): { [K in keyof T]?: NonNullable<T[K]> } {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== null && v !== undefined)) as { [K in keyof T]?: NonNullable<T[K]> };
}

/** Bad cursors and filters are the caller's mistake, not a fault. */
async function asUserInput<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RangeError || error instanceof SubscriptionAdminError) throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT' } });
    throw error;
  }
}

/** Per request, one loader per kind and arguments, so lists batch instead of querying per row. */
const requestLoaders = new WeakMap<GraphqlContext, Map<string, DataLoader<string, unknown>>>();

function loader<V>(ctx: GraphqlContext, key: string, batch: (ids: readonly string[]) => Promise<Map<string, V>>): DataLoader<string, V> {
  const loaders = requestLoaders.get(ctx) ?? new Map<string, DataLoader<string, unknown>>();
  requestLoaders.set(ctx, loaders);
  if (!loaders.has(key)) {
    const load = new DataLoader<string, V>(async (ids) => {
      const found = await batch(ids);
      return ids.map((id) => found.get(id)!);
    });
    loaders.set(key, load as DataLoader<string, unknown>);
  }
  return loaders.get(key) as DataLoader<string, V>;
}

/** Subscriptions and their deliveries: operators watch them, pause, resume, cancel and resend. */
@Resolver(() => NotificationSubscription)
export class SubscriptionResolver {
  @Authorized(...READ)
  @Query(() => NotificationSubscriptionConnection, { description: 'newest first' })
  async subscriptions(
    @Ctx() ctx: GraphqlContext,
    @Arg('filter', () => NotificationSubscriptionFilterInput, { nullable: true }) filter?: NotificationSubscriptionFilterInput,
    @Arg('first', () => Int, { nullable: true, description: 'page size, at most 200 (default 50)' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<NotificationSubscriptionConnection> {
    const page = await asUserInput(() => listSubscriptions(ctx.app.db.pool, given(filter ?? {}), { first: pageSize(first), after: after ?? undefined }));
    return connection(page, (row) => row);
  }

  @Authorized(...READ)
  @Query(() => NotificationSubscription, { nullable: true })
  async subscription(@Ctx() ctx: GraphqlContext, @Arg('code', () => String) code: string): Promise<NotificationSubscription | null> {
    return (await findSubscription(ctx.app.db.pool, code)) ?? null;
  }

  @Authorized(...READ)
  @Query(() => Int, { description: 'how many dead letters resendDeadLetters would resend now with this filter' })
  deadLetterCount(@Ctx() ctx: GraphqlContext, @Arg('filter', () => DeadLetterFilterInput) filter: DeadLetterFilterInput): Promise<number> {
    return asUserInput(() => countDeadLettersMatching(ctx.app.db.pool, given(filter)));
  }

  @Authorized(...READ)
  @Query(() => Delivery, { nullable: true })
  async delivery(@Ctx() ctx: GraphqlContext, @Arg('id', () => ID) id: string): Promise<Delivery | null> {
    const found = await findDelivery(ctx.app.db.pool, id);
    return found ? toDelivery(found) : null;
  }

  @FieldResolver(() => DeliveryConnection, { description: 'newest first' })
  async deliveries(
    @Ctx() ctx: GraphqlContext,
    @Root() subscription: SubscriptionRow,
    @Arg('status', () => String, { nullable: true }) status?: string,
    @Arg('first', () => Int, { nullable: true, description: 'page size, at most 200 (default 50)' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<DeliveryConnection> {
    const options = { first: pageSize(first), after: after ?? undefined, status: status ?? undefined };
    const pages = loader(ctx, `deliveries:${JSON.stringify(options)}`, (ids) => listDeliveries(ctx.app.db.pool, ids, options));
    return connection(await asUserInput(() => pages.load(subscription.id)), toDelivery);
  }

  @Authorized(...MANAGE)
  @Mutation(() => NotificationSubscriptionPayload, { description: 'nothing is sent until resumed; matching events still queue up' })
  pauseSubscription(@Ctx() ctx: GraphqlContext, @Arg('code', () => String) code: string): Promise<NotificationSubscriptionPayload> {
    return this.changed(ctx, 'pauseSubscription', code, () => pauseSubscription(ctx.app.db.pool, code));
  }

  @Authorized(...MANAGE)
  @Mutation(() => NotificationSubscriptionPayload, { description: 'sends again at once, ending a pause or a back-off after failures' })
  resumeSubscription(@Ctx() ctx: GraphqlContext, @Arg('code', () => String) code: string): Promise<NotificationSubscriptionPayload> {
    return this.changed(ctx, 'resumeSubscription', code, () => resumeSubscription(ctx.app.db.pool, code));
  }

  @Authorized(...MANAGE)
  @Mutation(() => NotificationSubscriptionPayload, { description: 'ends it as an unsubscribe would; deliveries not yet sent are cancelled' })
  cancelSubscription(@Ctx() ctx: GraphqlContext, @Arg('code', () => String) code: string): Promise<NotificationSubscriptionPayload> {
    return this.changed(ctx, 'cancelSubscription', code, () => cancelSubscription(ctx.app.db.pool, code));
  }

  @Authorized(...MANAGE)
  @Mutation(() => ResendPayload, { description: 'one dead letter, with a fresh set of attempts' })
  resendDelivery(@Ctx() ctx: GraphqlContext, @Arg('id', () => ID) id: string): Promise<ResendPayload> {
    return this.resent(ctx, 'resendDelivery', id, () => resendDelivery(ctx.app.db.pool, id));
  }

  @Authorized(...MANAGE)
  @Mutation(() => ResendPayload, { description: 'every dead letter matching the filter (all of them when it is empty)' })
  resendDeadLetters(@Ctx() ctx: GraphqlContext, @Arg('filter', () => DeadLetterFilterInput) filter: DeadLetterFilterInput): Promise<ResendPayload> {
    const selection = given(filter);
    return this.resent(ctx, 'resendDeadLetters', filter.subscriptionCode ?? null, () => resendDeadLettersMatching(ctx.app.db.pool, selection), selection);
  }

  private async changed(ctx: GraphqlContext, action: string, code: string, work: () => Promise<{ before: SubscriptionRow; after: SubscriptionRow }>): Promise<NotificationSubscriptionPayload> {
    const { result, userErrors } = await withUserErrors(work);
    if (result) await recordStaffAction(ctx.app.db.pool, ctx.staff!, action, code, { before: { status: result.before.status }, after: { status: result.after.status } });
    return { subscription: result?.after ?? null, userErrors };
  }

  private async resent(ctx: GraphqlContext, action: string, target: string | null, work: () => Promise<string[]>, filter?: unknown): Promise<ResendPayload> {
    const { result, userErrors } = await withUserErrors(work);
    if (result) await recordStaffAction(ctx.app.db.pool, ctx.staff!, action, target, { after: { ...(filter ? { filter } : {}), resentCount: result.length } });
    return { resentCount: result?.length ?? 0, deliveryIds: result ?? [], userErrors };
  }
}

@Resolver(() => Delivery)
export class DeliveryResolver {
  @FieldResolver(() => [DeliveryAttempt], { description: 'oldest first' })
  async attempts(@Ctx() ctx: GraphqlContext, @Root() delivery: Delivery): Promise<AttemptRow[]> {
    return loader(ctx, 'attempts', (ids) => attemptsOf(ctx.app.db.pool, ids)).load(delivery.id);
  }
}
