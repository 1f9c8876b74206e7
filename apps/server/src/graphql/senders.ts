import { Arg, Authorized, Ctx, Field, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { createOAuthClient, createSender, addSenderKey, findSender, listSenders, OPERATIONS, revokeSenderKey, rotateOAuthClientSecret, setSenderActive, SenderError, SIGNATURE_SCHEMES, type Operation, type SenderSummary, type SignatureScheme } from '../senders/senders.js';
import { recordStaffAction } from '../staff/staff-audit.js';
import { MANAGE, READ, type GraphqlContext } from './context.js';
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
}

@ObjectType({ description: 'An external system that sends DCI requests' })
class Sender {
  @Field(() => String) senderId!: string;
  @Field(() => String) name!: string;
  @Field(() => Boolean) active!: boolean;
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
class SenderFilter {
  @Field(() => Boolean, { nullable: true }) active?: boolean;
  @Field(() => String, { nullable: true, description: 'part of the sender id or name' }) search?: string;
  @Field(() => String, { nullable: true, description: 'senders allowed this operation' }) operation?: string;
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
    (!filter.operation || sender.allowedOperations.includes(filter.operation))
  );
}

function operations(values: string[] | undefined): Operation[] | undefined {
  const unknown = values?.filter((v) => !(OPERATIONS as readonly string[]).includes(v));
  if (unknown?.length) throw new SenderError(`unknown operation ${unknown.join(', ')}: use ${OPERATIONS.join(', ')}`);
  return values as Operation[] | undefined;
}

async function senderSummary(ctx: GraphqlContext, senderId: string): Promise<Sender | null> {
  return (await listSenders(ctx.app.db.orm.em.fork())).find((s) => s.senderId === senderId) ?? null;
}

/** Senders: the same services as `npm run cli -- senders …`; every change is in the staff audit. */
@Resolver()
export class SenderResolver {
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
    const { userErrors } = await withUserErrors(async () => {
      const scheme = input.preferredScheme as SignatureScheme | undefined;
      if (scheme && !SIGNATURE_SCHEMES.includes(scheme)) throw new SenderError(`unknown signature scheme ${scheme}: use ${SIGNATURE_SCHEMES.join(' or ')}`);
      await createSender(ctx.app.db.orm.em.fork(), {
        senderId: input.senderId,
        name: input.name,
        description: input.description ?? undefined,
        allowedOperations: operations(input.allowedOperations ?? undefined) ?? ['search', 'verify', 'txn_status'],
        senderUri: input.senderUri ?? undefined,
        preferredScheme: scheme,
        allowedCallbackOrigins: input.allowedCallbackOrigins ?? undefined,
      });
    });
    return this.changed(ctx, 'createSender', input.senderId, userErrors, { after: input });
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

  /** The payload after a sender change; the change is audited only when it happened. */
  private async changed(ctx: GraphqlContext, action: string, senderId: string, userErrors: UserError[], change: { after?: unknown }): Promise<SenderPayload> {
    if (userErrors.length) return { sender: null, userErrors };
    await recordStaffAction(ctx.app.db.pool, ctx.staff!, action, senderId, change);
    return { sender: await senderSummary(ctx, senderId), userErrors };
  }
}
