import { GraphQLError } from 'graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { countTransactions, findTransaction, listTransactions, type TransactionFilter, type TransactionRow } from '../transactions/transaction-log.js';
import { connectionOf, pageSize } from './connections.js';
import { READ, type GraphqlContext } from './context.js';

@ObjectType({ description: 'One call to the DCI API, accepted or refused (the audit record)' })
class Transaction {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) transactionId!: string | null;
  @Field(() => String, { nullable: true }) messageId!: string | null;
  @Field(() => String, { nullable: true }) correlationId!: string | null;
  @Field(() => String, { nullable: true }) senderId!: string | null;
  @Field(() => String) operation!: string;
  @Field(() => String) endpoint!: string;
  @Field(() => Int) httpStatus!: number;
  @Field(() => String, { description: 'succ, rjct or pdng' }) dciStatus!: string;
  @Field(() => String, { nullable: true }) reasonCode!: string | null;
  @Field(() => Int) durationMs!: number;
  @Field(() => String, { nullable: true }) clientAddress!: string | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => String, { nullable: true, description: 'async calls: pending, answered (callback not yet delivered), completed, failed' }) asyncStatus!: string | null;
  @Field(() => Int) completedCount!: number;
  @Field(() => Int, { nullable: true }) totalCount!: number | null;
  @Field(() => String, { nullable: true }) callbackStatus!: string | null;

  @Authorized('admin', 'auditor')
  @Field(() => GraphQLJSON, { nullable: true, description: 'the request as received (secrets redacted); admin and auditor only' })
  request?: unknown;

  @Authorized('admin', 'auditor')
  @Field(() => GraphQLJSON, { nullable: true, description: 'the answer as sent; admin and auditor only' })
  response?: unknown;
}

@ObjectType()
class TransactionConnection extends connectionOf(Transaction, 'Transaction') {
  /** counted only when totalCount or countAtMost is asked for */
  filter!: TransactionFilter;
}

@InputType()
class TransactionFilterInput {
  @Field(() => String, { nullable: true }) senderId?: string;
  @Field(() => String, { nullable: true, description: 'search, verify, subscribe, unsubscribe, txn_status, notify' }) operation?: string;
  @Field(() => String, { nullable: true }) dciStatus?: string;
  @Field(() => String, { nullable: true }) reasonCode?: string;
  @Field(() => Int, { nullable: true }) httpStatus?: number;
  @Field(() => Date, { nullable: true, description: 'from this time (inclusive)' }) from?: Date;
  @Field(() => Date, { nullable: true, description: 'until this time (exclusive)' }) to?: Date;
  @Field(() => String, { nullable: true }) transactionId?: string;
  @Field(() => String, { nullable: true }) messageId?: string;
  @Field(() => String, { nullable: true }) correlationId?: string;
  @Field(() => String, { nullable: true, description: 'matches the record id, transaction id, message id or correlation id' }) anyId?: string;
}

/** The DCI audit log, read-only. */
@Resolver()
export class TransactionResolver {
  @Authorized(...READ)
  @Query(() => TransactionConnection, { description: 'newest first' })
  async transactions(
    @Ctx() ctx: GraphqlContext,
    @Arg('filter', () => TransactionFilterInput, { nullable: true }) filter?: TransactionFilterInput,
    @Arg('first', () => Int, { nullable: true, description: 'page size, at most 200 (default 50)' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<TransactionConnection> {
    const clean = Object.fromEntries(Object.entries(filter ?? {}).filter(([, v]) => v !== null && v !== undefined));
    let page;
    try {
      page = await listTransactions(ctx.app.db.pool, clean, { first: pageSize(first), after: after ?? undefined });
    } catch (error) {
      if (error instanceof RangeError) throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' } });
      throw error;
    }
    return {
      edges: page.rows.map(({ cursor, ...node }) => ({ cursor, node: node as TransactionRow })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.rows.at(-1)?.cursor ?? null },
      filter: clean,
    };
  }

  @Authorized(...READ)
  @Query(() => Transaction, { nullable: true })
  async transaction(@Ctx() ctx: GraphqlContext, @Arg('id', () => ID) id: string): Promise<Transaction | null> {
    return (await findTransaction(ctx.app.db.pool, id)) ?? null;
  }
}

/** Counts are computed only when asked for: an exact one reads every matching row. */
@Resolver(() => TransactionConnection)
export class TransactionCountResolver {
  @FieldResolver(() => Int, { description: 'rows matching the filter, over all pages (exact: slow on millions of rows; see countAtMost)' })
  totalCount(@Ctx() ctx: GraphqlContext, @Root() connection: TransactionConnection): Promise<number> {
    return countTransactions(ctx.app.db.pool, connection.filter);
  }

  @FieldResolver(() => Int, { description: 'rows matching the filter, counted up to `limit` (then read it as "limit or more"); fast at any table size' })
  countAtMost(
    @Ctx() ctx: GraphqlContext,
    @Root() connection: TransactionConnection,
    @Arg('limit', () => Int, { defaultValue: 10000, description: '1 to 100000' }) limit: number,
  ): Promise<number> {
    if (limit < 1 || limit > 100_000) throw new GraphQLError('limit must be from 1 to 100000', { extensions: { code: 'BAD_USER_INPUT', argumentName: 'limit' } });
    return countTransactions(ctx.app.db.pool, connection.filter, limit);
  }
}
