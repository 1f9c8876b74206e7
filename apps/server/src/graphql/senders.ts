import { Arg, Authorized, Ctx, Field, FieldResolver, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { setNotifyAuth, type NotifyAuthInput } from '../notifications/outbound-auth.js';
import {
  addSenderKey,
  createOAuthClient,
  createSender,
  DEFAULT_OPERATIONS,
  disableOAuthClient,
  findSender,
  listSenders,
  OPERATIONS,
  revokeSenderKey,
  rotateOAuthClientSecret,
  SenderError,
  setSenderActive,
  setSenderRateLimit,
  SIGNATURE_SCHEMES,
  updateSender,
  type Operation,
  type SenderSummary,
  type SignatureScheme,
} from '../senders/senders.js';
import { recordStaffAction } from '../staff/staff-audit.js';
import { requestBuckets } from '../transactions/usage.js';
import { MANAGE, READ, type GraphqlContext } from './context.js';
import { given } from './inputs.js';
import { RequestBucket } from './dashboard.js';
import { UserError, withUserErrors } from './user-errors.js';

@ObjectType()
class SenderKey {
  @Field(() => String) keyId!: string;
  @Field(() => String) algorithm!: string;
  @Field(() => String, { description: 'RFC 7638 JWK thumbprint' }) fingerprint!: string;
  @Field(() => Boolean) revoked!: boolean;
  @Field(() => Date, { nullable: true }) notBefore!: Date | null;
  @Field(() => Date, { nullable: true }) notAfter!: Date | null;
}

@ObjectType()
class OAuthClient {
  @Field(() => String) clientId!: string;
  @Field(() => Boolean) active!: boolean;
  @Field(() => Date, { nullable: true, description: 'when it last obtained a token' }) lastUsedAt!: Date | null;
}

@ObjectType({ description: 'How our notifications authenticate to the sender (never the secret)' })
class NotifyAuthentication {
  @Field(() => String, { description: 'bearer or oauth2' }) type!: string;
  @Field(() => String, { nullable: true }) tokenUrl?: string;
  @Field(() => String, { nullable: true }) clientId?: string;
  @Field(() => String, { nullable: true }) scope?: string;
}

@ObjectType({ description: 'An external system that sends DCI requests' })
export class Sender {
  @Field(() => String) senderId!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => String, { nullable: true }) contact!: string | null;
  @Field(() => Boolean) active!: boolean;
  @Field(() => Boolean, { description: 'its requests may come unsigned (a risk: shown in red)' }) allowUnsigned!: boolean;
  @Field(() => Int, { nullable: true, description: 'requests per minute; null: the server default' }) rateLimitPerMinute!: number | null;
  @Field(() => NotifyAuthentication, { nullable: true }) notifyAuth!: NotifyAuthentication | null;
  @Field(() => [String]) allowedOperations!: string[];
  @Field(() => String) preferredScheme!: string;
  @Field(() => String, { nullable: true }) senderUri!: string | null;
  @Field(() => [String]) allowedCallbackOrigins!: string[];
  @Field(() => [SenderKey]) keys!: SenderKey[];
  @Field(() => [OAuthClient]) clients!: OAuthClient[];
}

@ObjectType()
class SenderPayload {
  @Field(() => Sender, { nullable: true }) sender!: Sender | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@ObjectType({ description: 'OAuth2 client credentials; the secret is shown only in this answer' })
class ClientSecretPayload {
  @Field(() => String, { nullable: true }) clientId!: string | null;
  @Field(() => String, { nullable: true }) clientSecret!: string | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@InputType()
class OAuth2NotifyAuthInput {
  @Field(() => String) tokenUrl!: string;
  @Field(() => String) clientId!: string;
  @Field(() => String) clientSecret!: string;
  @Field(() => String, { nullable: true }) scope?: string;
}

@InputType()
class SenderFilter {
  @Field(() => Boolean, { nullable: true }) active?: boolean;
  @Field(() => String, { nullable: true, description: 'part of the sender id or name' }) search?: string;
  @Field(() => String, { nullable: true, description: 'senders allowed this operation' }) operation?: string;
  @Field(() => Boolean, { nullable: true, description: 'senders allowed (or not) unsigned requests' }) allowUnsigned?: boolean;
}

@InputType({ description: 'only the fields given change' })
class UpdateSenderInput {
  @Field(() => String, { nullable: true }) name?: string;
  @Field(() => String, { nullable: true }) description?: string;
  @Field(() => String, { nullable: true }) contact?: string;
  @Field(() => [String], { nullable: true }) allowedOperations?: string[];
  @Field(() => String, { nullable: true }) senderUri?: string;
  @Field(() => String, { nullable: true }) preferredScheme?: string;
  @Field(() => [String], { nullable: true }) allowedCallbackOrigins?: string[];
  @Field(() => Boolean, { nullable: true }) allowUnsigned?: boolean;
}

@InputType({ description: 'exactly one of none, bearerToken or oauth2' })
class NotifyAuthInputType {
  @Field(() => Boolean, { nullable: true }) none?: boolean;
  @Field(() => String, { nullable: true }) bearerToken?: string;
  @Field(() => OAuth2NotifyAuthInput, { nullable: true }) oauth2?: OAuth2NotifyAuthInput;
}

@InputType()
class CreateSenderInput {
  @Field(() => String) senderId!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) description?: string;
  @Field(() => [String], { nullable: true, description: `default: search, verify, txn_status; any of ${OPERATIONS.join(', ')}` }) allowedOperations?: string[];
  @Field(() => String, { nullable: true }) senderUri?: string;
  @Field(() => String, { nullable: true, description: SIGNATURE_SCHEMES.join(' or ') }) preferredScheme?: string;
  @Field(() => [String], { nullable: true }) allowedCallbackOrigins?: string[];
}

@InputType()
class AddSenderKeyInput {
  @Field(() => String) senderId!: string;
  @Field(() => String, { description: 'SPKI PEM or public JWK (Ed25519, EC P-256, RSA ≥ 2048)' }) publicKey!: string;
  @Field(() => String, { nullable: true, description: "default: the JWK's kid, else its thumbprint" }) keyId?: string;
  @Field(() => Date, { nullable: true }) notBefore?: Date;
  @Field(() => Date, { nullable: true }) notAfter?: Date;
}

function matches(filter: SenderFilter | undefined, sender: SenderSummary): boolean {
  if (!filter) return true;
  const search = filter.search?.toLowerCase();
  return (
    (filter.active === undefined || filter.active === null || sender.active === filter.active) &&
    (!search || sender.senderId.toLowerCase().includes(search) || sender.name.toLowerCase().includes(search)) &&
    (!filter.operation || sender.allowedOperations.includes(filter.operation)) &&
    (filter.allowUnsigned === undefined || filter.allowUnsigned === null || sender.allowUnsigned === filter.allowUnsigned)
  );
}

function notifyAuthInput(input: NotifyAuthInputType): NotifyAuthInput {
  const chosen = [input.none, input.bearerToken, input.oauth2].filter((v) => v !== undefined && v !== null && v !== false);
  if (chosen.length !== 1) throw new SenderError('give exactly one of none, bearerToken or oauth2');
  if (input.none) return { type: 'none' };
  if (input.bearerToken) return { type: 'bearer', token: input.bearerToken };
  const o = input.oauth2!;
  return { type: 'oauth2', tokenUrl: o.tokenUrl, clientId: o.clientId, clientSecret: o.clientSecret, ...(o.scope ? { scope: o.scope } : {}) };
}

async function senderSummary(ctx: GraphqlContext, senderId: string): Promise<Sender | null> {
  return (await listSenders(ctx.app.db.orm.em.fork())).find((s) => s.senderId === senderId) ?? null;
}

/** Senders: the same services as `npm run cli -- senders …`; every change is in the staff audit. */
@Resolver(() => Sender)
export class SenderResolver {
  @FieldResolver(() => [RequestBucket], { description: 'its DCI requests per day and outcome' })
  usage(@Ctx() ctx: GraphqlContext, @Root() sender: Sender, @Arg('days', () => Int, { defaultValue: 14 }) days: number): Promise<RequestBucket[]> {
    const to = new Date();
    const from = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), to.getUTCDate() - Math.min(Math.max(days, 1), 90) + 1));
    return requestBuckets(ctx.app.db.pool, { from, to, bucketMinutes: 1440, senderId: sender.senderId });
  }

  @Authorized(...READ)
  @Query(() => [Sender], { description: 'senders by id, with keys and OAuth clients (never secrets)' })
  async senders(@Ctx() ctx: GraphqlContext, @Arg('filter', () => SenderFilter, { nullable: true }) filter?: SenderFilter): Promise<Sender[]> {
    return (await listSenders(ctx.app.db.orm.em.fork())).filter((s) => matches(filter, s));
  }

  @Authorized(...READ)
  @Query(() => Sender, { nullable: true })
  sender(@Ctx() ctx: GraphqlContext, @Arg('senderId', () => String) senderId: string): Promise<Sender | null> {
    return senderSummary(ctx, senderId);
  }

  @Authorized(...MANAGE)
  @Mutation(() => SenderPayload)
  async createSender(@Ctx() ctx: GraphqlContext, @Arg('input', () => CreateSenderInput) input: CreateSenderInput): Promise<SenderPayload> {
    const { userErrors } = await withUserErrors(() =>
      createSender(ctx.app.db.orm.em.fork(), {
        ...given(input),
        senderId: input.senderId,
        name: input.name,
        allowedOperations: (input.allowedOperations as Operation[] | undefined) ?? DEFAULT_OPERATIONS,
        preferredScheme: input.preferredScheme as SignatureScheme | undefined,
      }),
    );
    return this.changed(ctx, 'createSender', input.senderId, userErrors, { after: input });
  }

  @Authorized(...MANAGE)
  @Mutation(() => SenderPayload)
  async updateSender(@Ctx() ctx: GraphqlContext, @Arg('senderId', () => String) senderId: string, @Arg('input', () => UpdateSenderInput) input: UpdateSenderInput): Promise<SenderPayload> {
    const before = await senderSummary(ctx, senderId);
    const changes = given(input);
    const { userErrors } = await withUserErrors(() =>
      updateSender(ctx.app.db.orm.em.fork(), senderId, { ...changes, allowedOperations: changes.allowedOperations as Operation[] | undefined, preferredScheme: changes.preferredScheme as SignatureScheme | undefined }),
    );
    return this.changed(ctx, 'updateSender', senderId, userErrors, { before, after: changes });
  }

  @Authorized(...MANAGE)
  @Mutation(() => SenderPayload, { description: 'how our notifications authenticate to the sender; secrets are stored sealed and never shown' })
  async setNotifyAuth(@Ctx() ctx: GraphqlContext, @Arg('senderId', () => String) senderId: string, @Arg('input', () => NotifyAuthInputType) input: NotifyAuthInputType): Promise<SenderPayload> {
    const { result, userErrors } = await withUserErrors(() => setNotifyAuth(ctx.app.db.orm.em.fork(), ctx.app.masterKey, senderId, notifyAuthInput(input)));
    return this.changed(ctx, 'setNotifyAuth', senderId, userErrors, { after: { type: result?.notifyAuth?.type ?? 'none' } });
  }

  @Authorized(...MANAGE)
  @Mutation(() => SenderPayload, { description: 'an inactive sender gets no tokens and its calls are refused' })
  async setSenderActive(@Ctx() ctx: GraphqlContext, @Arg('senderId', () => String) senderId: string, @Arg('active', () => Boolean) active: boolean): Promise<SenderPayload> {
    const { userErrors } = await withUserErrors(() => setSenderActive(ctx.app.db.orm.em.fork(), senderId, active));
    return this.changed(ctx, 'setSenderActive', senderId, userErrors, { after: { active } });
  }

  @Authorized(...MANAGE)
  @Mutation(() => SenderPayload)
  async addSenderKey(@Ctx() ctx: GraphqlContext, @Arg('input', () => AddSenderKeyInput) input: AddSenderKeyInput): Promise<SenderPayload> {
    const { result, userErrors } = await withUserErrors(async () => {
      const em = ctx.app.db.orm.em.fork();
      return addSenderKey(em, await findSender(em, input.senderId), input.publicKey, input.keyId ?? undefined, { notBefore: input.notBefore ?? undefined, notAfter: input.notAfter ?? undefined });
    });
    return this.changed(ctx, 'addSenderKey', input.senderId, userErrors, { after: result && { keyId: result.keyId, fingerprint: result.fingerprint } });
  }

  @Authorized(...MANAGE)
  @Mutation(() => SenderPayload, { description: 'stop accepting signatures made with the key' })
  async revokeSenderKey(@Ctx() ctx: GraphqlContext, @Arg('senderId', () => String) senderId: string, @Arg('keyId', () => String) keyId: string): Promise<SenderPayload> {
    const { userErrors } = await withUserErrors(() => revokeSenderKey(ctx.app.db.orm.em.fork(), senderId, keyId));
    return this.changed(ctx, 'revokeSenderKey', senderId, userErrors, { after: { keyId, revoked: true } });
  }

  @Authorized(...MANAGE)
  @Mutation(() => ClientSecretPayload)
  async createOAuthClient(@Ctx() ctx: GraphqlContext, @Arg('senderId', () => String) senderId: string): Promise<ClientSecretPayload> {
    const { result, userErrors } = await withUserErrors(async () => {
      const em = ctx.app.db.orm.em.fork();
      return createOAuthClient(em, await findSender(em, senderId));
    });
    if (result) await recordStaffAction(ctx.app.db.pool, ctx.staff!, 'createOAuthClient', senderId, { after: { clientId: result.clientId } });
    return { clientId: result?.clientId ?? null, clientSecret: result?.clientSecret ?? null, userErrors };
  }

  @Authorized(...MANAGE)
  @Mutation(() => ClientSecretPayload, { description: 'a new secret, shown once; the old one stops working at once' })
  async rotateOAuthClientSecret(@Ctx() ctx: GraphqlContext, @Arg('clientId', () => String) clientId: string): Promise<ClientSecretPayload> {
    const { result, userErrors } = await withUserErrors(() => rotateOAuthClientSecret(ctx.app.db.orm.em.fork(), clientId));
    if (result) await recordStaffAction(ctx.app.db.pool, ctx.staff!, 'rotateOAuthClientSecret', clientId);
    return { clientId: result?.clientId ?? null, clientSecret: result?.clientSecret ?? null, userErrors };
  }

  @Authorized(...MANAGE)
  @Mutation(() => SenderPayload, { description: 'requests per minute for this sender (0: none); null: follow RATE_LIMIT_PER_MINUTE' })
  async setSenderRateLimit(
    @Ctx() ctx: GraphqlContext,
    @Arg('senderId', () => String) senderId: string,
    @Arg('perMinute', () => Int, { nullable: true }) perMinute: number | null,
  ): Promise<SenderPayload> {
    const before = (await senderSummary(ctx, senderId))?.rateLimitPerMinute;
    const { userErrors } = await withUserErrors(() => setSenderRateLimit(ctx.app.db.orm.em.fork(), senderId, perMinute ?? null));
    return this.changed(ctx, 'setSenderRateLimit', senderId, userErrors, { before: { rateLimitPerMinute: before }, after: { rateLimitPerMinute: perMinute ?? null } });
  }

  @Authorized(...MANAGE)
  @Mutation(() => SenderPayload, { description: 'the client gets no more tokens' })
  async disableOAuthClient(@Ctx() ctx: GraphqlContext, @Arg('clientId', () => String) clientId: string): Promise<SenderPayload> {
    const { result, userErrors } = await withUserErrors(() => disableOAuthClient(ctx.app.db.orm.em.fork(), clientId));
    return this.changed(ctx, 'disableOAuthClient', result?.senderId ?? clientId, userErrors, { after: { clientId, active: false } });
  }

  /** The payload after a sender change; the change is audited only when it happened. */
  private async changed(ctx: GraphqlContext, action: string, senderId: string, userErrors: UserError[], change: { before?: unknown; after?: unknown }): Promise<SenderPayload> {
    if (userErrors.length) return { sender: null, userErrors };
    await recordStaffAction(ctx.app.db.pool, ctx.staff!, action, senderId, change);
    return { sender: await senderSummary(ctx, senderId), userErrors };
  }
}
