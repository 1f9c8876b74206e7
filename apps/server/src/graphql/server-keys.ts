import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Authorized, Ctx, Field, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../keys/key-algorithms.js';
import { activateServerKey, generateServerKey, importServerKey, listServerKeys, publishedKeys, retireServerKey, type ServerKeyInfo } from '../keys/server-keys.js';
import { KeyError } from '../keys/key-algorithms.js';
import { recordStaffAction } from '../staff/staff-audit.js';
import { ADMIN, READ, type GraphqlContext } from './context.js';
import { UserError, withUserErrors } from './user-errors.js';

@ObjectType({ description: 'A key we sign answers, callbacks, notifications and tokens with (never its private part)' })
class ServerKey {
  @Field(() => String) kid!: string;
  @Field(() => String) algorithm!: string;
  @Field(() => String, { description: 'pending, active, retiring or retired' }) state!: string;
  @Field(() => Boolean, { description: 'whether this key signs now' }) signing!: boolean;
  @Field(() => GraphQLJSONObject) publicJwk!: Record<string, unknown>;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) activatedAt!: Date | null;
  @Field(() => Date, { nullable: true }) retiringAt!: Date | null;
  @Field(() => Date, { nullable: true }) retiredAt!: Date | null;
  @Field(() => Date, { nullable: true, description: 'retiring: when it leaves the JWKS (retiringAt + KEY_OVERLAP_SECONDS)' }) publishedUntil!: Date | null;
}

@ObjectType()
class ServerKeyPayload {
  @Field(() => ServerKey, { nullable: true }) key!: ServerKey | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

function view(key: ServerKeyInfo, overlapSeconds: number): ServerKey {
  const publishedUntil = key.state === 'retiring' && key.retiringAt ? new Date(key.retiringAt.getTime() + overlapSeconds * 1000) : null;
  return { ...key, publicJwk: key.publicJwk as Record<string, unknown>, signing: key.state === 'active', publishedUntil };
}

/** Server keys: the same services as `npm run cli -- keys …`. Reading is open to all staff; changes are admin only. */
@Resolver()
export class ServerKeyResolver {
  @Authorized(...READ)
  @Query(() => [ServerKey], { description: 'oldest first' })
  async serverKeys(@Ctx() ctx: GraphqlContext): Promise<ServerKey[]> {
    return (await listServerKeys(ctx.app.db.orm.em.fork())).map((key) => view(key, ctx.app.config.keyOverlapSeconds));
  }

  @Authorized(...READ)
  @Query(() => GraphQLJSONObject, { description: 'the JWKS exactly as /.well-known/jwks.json publishes it' })
  async jwks(@Ctx() ctx: GraphqlContext): Promise<Record<string, unknown>> {
    return { keys: await publishedKeys(ctx.app.db.orm.em.fork(), ctx.app.config.keyOverlapSeconds) };
  }

  @Authorized(...ADMIN)
  @Mutation(() => ServerKeyPayload, { description: 'a new key, pending (published, not yet signing) unless activate' })
  async generateServerKey(
    @Ctx() ctx: GraphqlContext,
    @Arg('algorithm', () => String, { defaultValue: 'EdDSA', description: SIGNING_ALGORITHMS.join(', ') }) algorithm: string,
    @Arg('activate', () => Boolean, { defaultValue: false }) activate: boolean,
  ): Promise<ServerKeyPayload> {
    return this.change(ctx, 'generateServerKey', async () => {
      if (!(SIGNING_ALGORITHMS as readonly string[]).includes(algorithm)) throw new KeyError(`unknown algorithm ${algorithm}: use ${SIGNING_ALGORITHMS.join(', ')}`);
      const key = await generateServerKey(ctx.app.db.orm.em.fork(), ctx.app.masterKey, algorithm as SigningAlgorithm);
      return activate ? activateServerKey(ctx.app.db.orm.em.fork(), key.kid, ctx.app.keyring) : key;
    });
  }

  @Authorized(...ADMIN)
  @Mutation(() => ServerKeyPayload, { description: 'a private key (PKCS#8 PEM or private JWK); weak or mismatched keys are refused' })
  importServerKey(
    @Ctx() ctx: GraphqlContext,
    @Arg('privateKey', () => String) privateKey: string,
    @Arg('activate', () => Boolean, { defaultValue: false }) activate: boolean,
  ): Promise<ServerKeyPayload> {
    return this.change(ctx, 'importServerKey', async () => {
      const key = await importServerKey(ctx.app.db.orm.em.fork(), ctx.app.masterKey, privateKey);
      return activate ? activateServerKey(ctx.app.db.orm.em.fork(), key.kid, ctx.app.keyring) : key;
    });
  }

  @Authorized(...ADMIN)
  @Mutation(() => ServerKeyPayload, { description: 'make the key the signing key; the previous one becomes retiring (still published)' })
  activateServerKey(@Ctx() ctx: GraphqlContext, @Arg('kid', () => String) kid: string): Promise<ServerKeyPayload> {
    return this.change(ctx, 'activateServerKey', () => activateServerKey(ctx.app.db.orm.em.fork(), kid, ctx.app.keyring));
  }

  @Authorized(...ADMIN)
  @Mutation(() => ServerKeyPayload, { description: 'take a pending or retiring key out of use and out of the JWKS' })
  retireServerKey(@Ctx() ctx: GraphqlContext, @Arg('kid', () => String) kid: string): Promise<ServerKeyPayload> {
    return this.change(ctx, 'retireServerKey', () => retireServerKey(ctx.app.db.orm.em.fork(), kid));
  }

  private async change(ctx: GraphqlContext, action: string, work: () => Promise<ServerKeyInfo>): Promise<ServerKeyPayload> {
    const { result, userErrors } = await withUserErrors(work);
    if (result) await recordStaffAction(ctx.app.db.pool, ctx.staff!, action, result.kid, { after: { state: result.state, algorithm: result.algorithm } });
    return { key: result ? view(result, ctx.app.config.keyOverlapSeconds) : null, userErrors };
  }
}
