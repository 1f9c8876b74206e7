import { Arg, Authorized, Ctx, Field, Float, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { deliveryCounts } from '../notifications/delivery-stats.js';
import { expiringSenderKeys, unsignedSenders } from '../senders/sender-health.js';
import { asyncBacklog, requestBuckets, requestTotals, topSenders, type UsageWindow } from '../transactions/usage.js';
import { READ, type GraphqlContext } from './context.js';

@ObjectType({ description: 'DCI requests in one time bucket with one operation and outcome' })
export class RequestBucket {
  @Field(() => Date) bucketStart!: Date;
  @Field(() => String) operation!: string;
  @Field(() => String) dciStatus!: string;
  @Field(() => Int) httpStatus!: number;
  @Field(() => Int) count!: number;
}

@ObjectType()
class SenderActivity {
  @Field(() => String) senderId!: string;
  @Field(() => Int) requests!: number;
  @Field(() => Int) errors!: number;
}

@ObjectType()
class ExpiringKey {
  @Field(() => String) senderId!: string;
  @Field(() => String) keyId!: string;
  @Field(() => Date) notAfter!: Date;
}

@ObjectType()
class DeliveryCounts {
  @Field(() => Int) pending!: number;
  @Field(() => Int) failed!: number;
  @Field(() => Int) dead!: number;
}

@ObjectType({ description: 'What staff look at first; each figure has a filtered list behind it' })
class Dashboard {
  @Field(() => Date) from!: Date;
  @Field(() => Date) to!: Date;
  @Field(() => Int, { description: 'width of a bucket in `requests` (buckets without requests are left out)' }) bucketMinutes!: number;
  @Field(() => [RequestBucket]) requests!: RequestBucket[];
  @Field(() => Int) requestCount!: number;
  @Field(() => Int, { description: 'answered with HTTP ≥ 400' }) errorCount!: number;
  @Field(() => Float) errorRate!: number;
  @Field(() => Float, { nullable: true }) p50Ms!: number | null;
  @Field(() => Float, { nullable: true }) p95Ms!: number | null;
  @Field(() => [SenderActivity]) topSenders!: SenderActivity[];
  @Field(() => Int, { description: 'async requests whose callback is not delivered yet' }) asyncBacklog!: number;
  @Field(() => DeliveryCounts) deliveries!: DeliveryCounts;
  @Field(() => [ExpiringKey], { description: 'sender keys ending within 30 days' }) expiringSenderKeys!: ExpiringKey[];
  @Field(() => [String], { description: 'active senders allowed unsigned requests' }) unsignedSenders!: string[];
}

/** Width of a bucket for a window: about 48 bars whatever the window. */
export function bucketMinutes(from: Date, to: Date): number {
  const minutes = (to.getTime() - from.getTime()) / 60_000;
  return [1, 5, 15, 30, 60, 180, 360, 720, 1440].find((width) => minutes / width <= 48) ?? 1440;
}

@Resolver()
export class DashboardResolver {
  @Authorized(...READ)
  @Query(() => Dashboard)
  async dashboard(
    @Ctx() ctx: GraphqlContext,
    @Arg('from', () => Date, { nullable: true, description: 'default: 24 hours ago' }) from?: Date,
    @Arg('to', () => Date, { nullable: true, description: 'default: now' }) to?: Date,
  ): Promise<Dashboard> {
    const pool = ctx.app.db.pool;
    const end = to ?? new Date();
    const start = from ?? new Date(end.getTime() - 86_400_000);
    const window: UsageWindow = { from: start, to: end, bucketMinutes: bucketMinutes(start, end) };
    const [requests, totals, top, backlog, deliveries, keys, unsigned] = await Promise.all([
      requestBuckets(pool, window),
      requestTotals(pool, window),
      topSenders(pool, window),
      asyncBacklog(pool),
      deliveryCounts(pool),
      expiringSenderKeys(pool, 30),
      unsignedSenders(pool),
    ]);
    return {
      from: start,
      to: end,
      bucketMinutes: window.bucketMinutes,
      requests,
      requestCount: totals.requests,
      errorCount: totals.errors,
      errorRate: totals.requests ? totals.errors / totals.requests : 0,
      p50Ms: totals.p50Ms,
      p95Ms: totals.p95Ms,
      topSenders: top,
      asyncBacklog: backlog,
      deliveries,
      expiringSenderKeys: keys,
      unsignedSenders: unsigned,
    };
  }
}
