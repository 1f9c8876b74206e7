import { GraphQLJSON } from 'graphql-scalars';
import { Arg, Authorized, Ctx, Field, ID, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { listStaffActions, recordStaffAction } from '../staff/staff-audit.js';
import { createApiToken, createSession, endSession, listApiTokens, revokeApiToken } from '../staff/staff-tokens.js';
import { checkPassword, createStaffUser, listStaffUsers, StaffError, updateStaffUser } from '../staff/staff-users.js';
import { SESSION_COOKIE } from '../staff/request-identity.js';
import { connectionOf, pageSize } from './connections.js';
import { ADMIN, type GraphqlContext } from './context.js';
import { UserError, withUserErrors } from './user-errors.js';

@ObjectType({ description: 'A person who manages the server' })
class StaffUser {
  @Field(() => String) email!: string;
  @Field(() => String) role!: string;
}

@ObjectType({ description: 'A staff account as admins see it' })
class StaffAccount extends StaffUser {
  @Field(() => String) id!: string;
  @Field(() => String) name!: string;
  @Field(() => Boolean) active!: boolean;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType()
class LoginPayload {
  @Field(() => StaffUser, { nullable: true }) staff!: StaffUser | null;
  @Field(() => Date, { nullable: true }) expiresAt!: Date | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@ObjectType({ description: 'A new staff account; the password is shown only in this answer' })
class CreateStaffUserPayload {
  @Field(() => StaffAccount, { nullable: true }) staff!: StaffAccount | null;
  @Field(() => String, { nullable: true }) password!: string | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@ObjectType({ description: 'A personal API token; the token is shown only in this answer' })
class ApiTokenPayload {
  @Field(() => String, { nullable: true }) token!: string | null;
  @Field(() => String, { nullable: true }) role!: string | null;
  @Field(() => Date, { nullable: true }) expiresAt!: Date | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@ObjectType({ description: 'A personal API token (never the token itself)' })
class ApiToken {
  @Field(() => ID) id!: string;
  @Field(() => String) email!: string;
  @Field(() => String) name!: string;
  @Field(() => String) role!: string;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) expiresAt!: Date | null;
  @Field(() => Date, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => Boolean) revoked!: boolean;
}

@ObjectType({ description: 'One change made by staff, through GraphQL or the CLI' })
class StaffAction {
  @Field(() => ID) id!: string;
  @Field(() => Date) at!: Date;
  @Field(() => String, { description: 'staff:<email>, token:<id>:<email> or cli' }) actor!: string;
  @Field(() => String) action!: string;
  @Field(() => String, { nullable: true }) target!: string | null;
  @Field(() => GraphQLJSON, { nullable: true, description: 'secrets redacted' }) before!: unknown;
  @Field(() => GraphQLJSON, { nullable: true, description: 'secrets redacted' }) after!: unknown;
}

@ObjectType()
class StaffActionConnection extends connectionOf(StaffAction, 'StaffAction') {}

@ObjectType()
class RevokePayload {
  @Field(() => Boolean) revoked!: boolean;
  @Field(() => [UserError]) userErrors!: UserError[];
}

/** Staff sign-in (console cookie), accounts and integrators' API tokens. */
@Resolver()
export class StaffResolver {
  @Query(() => StaffUser, { nullable: true, description: 'who is signed in (null when nobody is)' })
  me(@Ctx() ctx: GraphqlContext): StaffUser | null {
    return ctx.staff ? { email: ctx.staff.email, role: ctx.staff.role } : null;
  }

  @Mutation(() => LoginPayload, { description: 'email and password; sets an httpOnly SameSite=Strict session cookie' })
  async login(@Ctx() ctx: GraphqlContext, @Arg('email', () => String) email: string, @Arg('password', () => String) password: string): Promise<LoginPayload> {
    const { config, db } = ctx.app;
    const { result, userErrors } = await withUserErrors(async () => {
      const staff = await checkPassword(db.pool, email, password, { maxFailures: config.staff.maxFailedLogins, lockoutSeconds: config.staff.lockoutSeconds });
      return { staff, session: await createSession(db.pool, staff.userId!, config.staff.sessionTtlSeconds) };
    });
    if (!result) return { staff: null, expiresAt: null, userErrors };
    ctx.res.cookie(SESSION_COOKIE, result.session.token, {
      httpOnly: true,
      sameSite: 'strict',
      // Behind https: as configured (PUBLIC_URL), or as a TLS-terminating proxy on loopback says (X-Forwarded-Proto).
      secure: config.publicUrl.startsWith('https:') || ctx.res.req.secure,
      path: '/',
      expires: result.session.expiresAt,
    });
    return { staff: { email: result.staff.email, role: result.staff.role }, expiresAt: result.session.expiresAt, userErrors };
  }

  @Mutation(() => Boolean, { description: 'ends the console session' })
  async logout(@Ctx() ctx: GraphqlContext): Promise<boolean> {
    if (ctx.sessionToken) await endSession(ctx.app.db.pool, ctx.sessionToken);
    ctx.res.clearCookie(SESSION_COOKIE, { path: '/' });
    return true;
  }

  @Authorized(...ADMIN)
  @Query(() => [StaffAccount])
  staffUsers(@Ctx() ctx: GraphqlContext): Promise<StaffAccount[]> {
    return listStaffUsers(ctx.app.db.pool);
  }

  @Authorized(...ADMIN)
  @Mutation(() => CreateStaffUserPayload)
  async createStaffUser(
    @Ctx() ctx: GraphqlContext,
    @Arg('email', () => String) email: string,
    @Arg('role', () => String, { description: 'admin, operator or auditor' }) role: string,
    @Arg('name', () => String, { nullable: true }) name?: string,
  ): Promise<CreateStaffUserPayload> {
    const { result, userErrors } = await withUserErrors(() => createStaffUser(ctx.app.db.pool, { email, role, name: name ?? undefined }));
    if (result) await recordStaffAction(ctx.app.db.pool, ctx.staff!, 'createStaffUser', result.user.email, { after: { email: result.user.email, role } });
    return { staff: result?.user ?? null, password: result?.password ?? null, userErrors };
  }

  @Authorized(...ADMIN)
  @Mutation(() => CreateStaffUserPayload, { description: "change a staff account's role or deactivate it; takes effect on its sessions and tokens at once" })
  async updateStaffUser(
    @Ctx() ctx: GraphqlContext,
    @Arg('email', () => String) email: string,
    @Arg('role', () => String, { nullable: true }) role?: string,
    @Arg('active', () => Boolean, { nullable: true }) active?: boolean,
  ): Promise<CreateStaffUserPayload> {
    const changes = { role: role ?? undefined, active: active ?? undefined };
    const { result, userErrors } = await withUserErrors(() => updateStaffUser(ctx.app.db.pool, email, changes));
    if (result) await recordStaffAction(ctx.app.db.pool, ctx.staff!, 'updateStaffUser', result.email, { after: changes });
    return { staff: result ?? null, password: null, userErrors };
  }

  @Authorized()
  @Mutation(() => ApiTokenPayload, { description: "an API token for scripts: your own, or (admin) another user's; at most that user's role" })
  async createApiToken(
    @Ctx() ctx: GraphqlContext,
    @Arg('name', () => String) name: string,
    @Arg('role', () => String, { nullable: true }) role?: string,
    @Arg('expiresAt', () => Date, { nullable: true }) expiresAt?: Date,
    @Arg('email', () => String, { nullable: true, description: 'admin only: whose token' }) email?: string,
  ): Promise<ApiTokenPayload> {
    const staff = ctx.staff!;
    const { result, userErrors } = await withUserErrors(async () => {
      if (email && email.toLowerCase() !== staff.email && staff.role !== 'admin') throw new StaffError('only an admin may create tokens for someone else', 'email');
      if (staff.via === 'token' && role && role !== staff.role && role !== 'auditor') throw new StaffError('a token cannot create a token with more rights than its own', 'role');
      return createApiToken(ctx.app.db.pool, { email: email ?? staff.email, name, role: role ?? (staff.via === 'token' ? staff.role : undefined), expiresAt: expiresAt ?? undefined });
    });
    if (result) await recordStaffAction(ctx.app.db.pool, staff, 'createApiToken', email ?? staff.email, { after: { name, role: result.role, expiresAt: result.expiresAt } });
    return { token: result?.token ?? null, role: result?.role ?? null, expiresAt: result?.expiresAt ?? null, userErrors };
  }

  @Authorized()
  @Query(() => [ApiToken], { description: 'your API tokens; an admin sees everyone\'s' })
  apiTokens(@Ctx() ctx: GraphqlContext): Promise<ApiToken[]> {
    return listApiTokens(ctx.app.db.pool, ctx.staff!.role === 'admin' ? undefined : ctx.staff!.email);
  }

  @Authorized()
  @Mutation(() => RevokePayload, { description: 'stops one of your tokens (an admin: anyone\'s) at once' })
  async revokeApiToken(@Ctx() ctx: GraphqlContext, @Arg('id', () => ID) id: string): Promise<RevokePayload> {
    const staff = ctx.staff!;
    const { userErrors } = await withUserErrors(() => revokeApiToken(ctx.app.db.pool, id, staff.role === 'admin' ? undefined : staff.email));
    if (!userErrors.length) await recordStaffAction(ctx.app.db.pool, staff, 'revokeApiToken', id);
    return { revoked: !userErrors.length, userErrors };
  }

  @Authorized('admin', 'auditor')
  @Query(() => StaffActionConnection, { description: 'the staff audit log, newest first' })
  async staffActions(
    @Ctx() ctx: GraphqlContext,
    @Arg('actor', () => String, { nullable: true }) actor?: string,
    @Arg('action', () => String, { nullable: true }) action?: string,
    @Arg('target', () => String, { nullable: true }) target?: string,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<StaffActionConnection> {
    const before = after && /^\d+$/.test(after) ? after : undefined;
    const page = await listStaffActions(ctx.app.db.pool, { actor: actor ?? undefined, action: action ?? undefined, target: target ?? undefined }, { first: pageSize(first), before });
    return {
      edges: page.rows.map((node) => ({ cursor: node.id, node })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.rows.at(-1)?.id ?? null },
      totalCount: page.totalCount,
    };
  }
}
