import { DciError, type RecordKind } from '@dci-server/dci';
import { GraphQLError } from 'graphql';
import { GraphQLJSON, GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Authorized, Ctx, Field, Float, ID, InputType, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { addGroupMember, createPerson, recordBirth, recordDeath, removeGroupMember, updatePerson, type PersonFields } from '../registry/registry-changes.js';
import { EVENTS_PER_RECORD, groupViews, isRecordId, personViews, searchRegistryViews, type GroupView, type PersonView } from '../registry/registry-views.js';
import { connectionOf, pageSize } from './connections.js';
import { MANAGE, READ, type GraphqlContext } from './context.js';
import { UserError, withUserErrors } from './user-errors.js';

@ObjectType()
class RegistryIdentifier {
  @Field(() => String, { description: 'UIN, BRN, NationalID, MOBILE…' }) type!: string;
  @Field(() => String) value!: string;
}

@ObjectType({ description: 'A registry change in the outbox; subscribers are notified of it' })
class RegistryEvent {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'REGISTER, UPDATE, NewHouseHoldMember, LiveBirth, Death, Marriage, Divorce' }) eventType!: string;
  @Field(() => String, { description: 'Person or Group' }) recordKind!: string;
  @Field(() => ID) recordId!: string;
  @Field(() => GraphQLJSONObject, { nullable: true }) payload!: Record<string, unknown> | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true, description: 'when it was matched against subscriptions (null: not yet)' }) matchedAt!: Date | null;
}

@ObjectType()
class RegistryPersonSummary {
  @Field(() => ID) id!: string;
  @Field(() => [RegistryIdentifier]) identifiers!: RegistryIdentifier[];
  @Field(() => String) givenName!: string;
  @Field(() => String) surname!: string;
  @Field(() => String, { nullable: true }) secondName!: string | null;
  @Field(() => String, { nullable: true }) prefix!: string | null;
  @Field(() => String, { nullable: true }) suffix!: string | null;
  @Field(() => String, { description: 'male, female, other or unknown' }) sex!: string;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' }) birthDate!: string | null;
  @Field(() => String, { nullable: true }) birthPlace!: string | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' }) deathDate!: string | null;
  @Field(() => String, { nullable: true }) maritalStatus!: string | null;
  @Field(() => Boolean) isDisabled!: boolean;
  @Field(() => String, { nullable: true }) streetAddress!: string | null;
  @Field(() => String, { nullable: true }) city!: string | null;
  @Field(() => String, { nullable: true }) location!: string | null;
  @Field(() => String, { nullable: true }) postalCode!: string | null;
  @Field(() => String, { nullable: true }) country!: string | null;
  @Field(() => [String]) phoneNumbers!: string[];
  @Field(() => [String]) emails!: string[];
  @Field(() => Date) registrationDate!: Date;
  @Field(() => Date) lastUpdated!: Date;
}

@ObjectType()
class RegistryGroupSummary {
  @Field(() => ID) id!: string;
  @Field(() => String) identifierType!: string;
  @Field(() => String) identifierValue!: string;
  @Field(() => String, { description: 'household, individual…' }) groupType!: string;
  @Field(() => ID, { nullable: true }) headId!: string | null;
  @Field(() => Int) groupSize!: number;
  @Field(() => Float, { nullable: true }) povertyScore!: number | null;
  @Field(() => String, { nullable: true }) povertyScoreType!: string | null;
  @Field(() => String, { nullable: true }) streetAddress!: string | null;
  @Field(() => String, { nullable: true }) city!: string | null;
  @Field(() => String, { nullable: true }) location!: string | null;
  @Field(() => String, { nullable: true }) postalCode!: string | null;
  @Field(() => String, { nullable: true }) country!: string | null;
  @Field(() => Float, { nullable: true }) latitude!: number | null;
  @Field(() => Float, { nullable: true }) longitude!: number | null;
  @Field(() => Date) registrationDate!: Date;
  @Field(() => Date) lastUpdated!: Date;
}

@ObjectType()
class RegistryMembership {
  @Field(() => String) relationship!: string;
  @Field(() => Boolean) isHead!: boolean;
  @Field(() => RegistryGroupSummary) group!: RegistryGroupSummary;
}

@ObjectType()
class RegistryMember {
  @Field(() => String) relationship!: string;
  @Field(() => Boolean) isHead!: boolean;
  @Field(() => RegistryPersonSummary) person!: RegistryPersonSummary;
}

@ObjectType({ description: 'A registered person with the groups they belong to and their registry events' })
class RegistryPerson extends RegistryPersonSummary {
  @Field(() => [RegistryMembership]) memberships!: RegistryMembership[];
  @Field(() => [RegistryEvent], { description: `newest first, at most ${EVENTS_PER_RECORD}` }) events!: RegistryEvent[];
}

@ObjectType({ description: 'A household or other group with its members and registry events' })
class RegistryGroup extends RegistryGroupSummary {
  @Field(() => [RegistryMember], { description: 'head first, then oldest first' }) members!: RegistryMember[];
  @Field(() => [RegistryEvent], { description: `newest first, at most ${EVENTS_PER_RECORD}` }) events!: RegistryEvent[];
}

@ObjectType()
class RegistryPersonConnection extends connectionOf(RegistryPerson, 'RegistryPerson') {}

@ObjectType()
class RegistryGroupConnection extends connectionOf(RegistryGroup, 'RegistryGroup') {}

@InputType()
class RegistrySortInput {
  @Field(() => String, { description: 'a sortable DCI attribute (e.g. surname, birth_date, poverty_score)' }) attribute!: string;
  @Field(() => Boolean, { nullable: true, description: 'newest / largest first' }) descending?: boolean;
}

@InputType()
class RegistryIdentifierInput {
  @Field(() => String) type!: string;
  @Field(() => String) value!: string;
}

@InputType({ description: 'A person as the DCI Person record holds it (the same rules as an import)' })
class RegistryPersonInput {
  @Field(() => [RegistryIdentifierInput]) identifiers!: RegistryIdentifierInput[];
  @Field(() => String) givenName!: string;
  @Field(() => String) surname!: string;
  @Field(() => String, { description: 'male, female, other or unknown' }) sex!: string;
  @Field(() => String, { nullable: true }) secondName?: string;
  @Field(() => String, { nullable: true }) prefix?: string;
  @Field(() => String, { nullable: true }) suffix?: string;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' }) birthDate?: string;
  @Field(() => String, { nullable: true }) birthPlace?: string;
  @Field(() => String, { nullable: true }) maritalStatus?: string;
  @Field(() => Boolean, { nullable: true }) isDisabled?: boolean;
  @Field(() => String, { nullable: true }) streetAddress?: string;
  @Field(() => String, { nullable: true }) city?: string;
  @Field(() => String, { nullable: true }) location?: string;
  @Field(() => String, { nullable: true }) postalCode?: string;
  @Field(() => String, { nullable: true }) country?: string;
  @Field(() => [String], { nullable: true }) phoneNumbers?: string[];
  @Field(() => [String], { nullable: true }) emails?: string[];
}

@InputType({ description: 'Fields left out keep their value; a death is recorded with recordDeath' })
class RegistryPersonUpdateInput {
  @Field(() => [RegistryIdentifierInput], { nullable: true, description: 'identifiers of types the person has not yet' }) addIdentifiers?: RegistryIdentifierInput[];
  @Field(() => String, { nullable: true }) givenName?: string;
  @Field(() => String, { nullable: true }) surname?: string;
  @Field(() => String, { nullable: true }) sex?: string;
  @Field(() => String, { nullable: true }) secondName?: string;
  @Field(() => String, { nullable: true }) prefix?: string;
  @Field(() => String, { nullable: true }) suffix?: string;
  @Field(() => String, { nullable: true }) birthDate?: string;
  @Field(() => String, { nullable: true }) birthPlace?: string;
  @Field(() => String, { nullable: true }) maritalStatus?: string;
  @Field(() => Boolean, { nullable: true }) isDisabled?: boolean;
  @Field(() => String, { nullable: true }) streetAddress?: string;
  @Field(() => String, { nullable: true }) city?: string;
  @Field(() => String, { nullable: true }) location?: string;
  @Field(() => String, { nullable: true }) postalCode?: string;
  @Field(() => String, { nullable: true }) country?: string;
  @Field(() => [String], { nullable: true }) phoneNumbers?: string[];
  @Field(() => [String], { nullable: true }) emails?: string[];
}

@ObjectType()
class RegistryPersonPayload {
  @Field(() => RegistryPerson, { nullable: true }) person!: RegistryPerson | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@ObjectType()
class RegistryGroupPayload {
  @Field(() => RegistryGroup, { nullable: true }) group!: RegistryGroup | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

/** Search arguments shared by persons and groups. */
interface SearchArgs {
  expression?: unknown;
  identifierType?: string;
  identifierValue?: string;
  sort?: RegistrySortInput[];
  first?: number;
  after?: string;
}

/** Cursors are positions in the ordered result: stable enough for staff paging through a search. */
const cursorOf = (position: number) => Buffer.from(`registry:${position}`).toString('base64url');

function positionAfter(cursor: string | undefined): number {
  if (!cursor) return 0;
  const position = Number(/^registry:(\d{1,12})$/.exec(Buffer.from(cursor, 'base64url').toString())?.[1]);
  if (!Number.isSafeInteger(position)) throw new GraphQLError('not a cursor of this list', { extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' } });
  return position + 1;
}

async function search<K extends RecordKind>(ctx: GraphqlContext, kind: K, args: SearchArgs) {
  const offset = positionAfter(args.after ?? undefined);
  const size = pageSize(args.first ?? undefined, 100);
  if (Boolean(args.identifierType) !== Boolean(args.identifierValue)) throw new GraphQLError('identifierType and identifierValue go together', { extensions: { code: 'BAD_USER_INPUT' } });
  const identifier = args.identifierType && args.identifierValue ? { type: args.identifierType, value: args.identifierValue } : undefined;
  const sort = args.sort?.map((key) => ({ attribute_name: key.attribute, sort_order: key.descending ? ('desc' as const) : ('asc' as const) }));
  try {
    const { totalCount, records } = await searchRegistryViews(ctx.app.db.readPool, kind, { expression: args.expression, identifier, sort, offset, size });
    return {
      edges: records.map((node, i) => ({ cursor: cursorOf(offset + i), node })),
      pageInfo: { hasNextPage: offset + records.length < totalCount, endCursor: records.length ? cursorOf(offset + records.length - 1) : null },
      totalCount,
    };
  } catch (error) {
    // The DCI query language's own refusals (unknown attribute, bad operator…) are the caller's to fix.
    if (error instanceof DciError) throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT', dciCode: error.code } });
    throw error;
  }
}

async function personPayload(ctx: GraphqlContext, work: () => Promise<{ id: string }>): Promise<RegistryPersonPayload> {
  const { result, userErrors } = await withUserErrors(work);
  return { person: result ? ((await personViews(ctx.app.db.pool, [result.id])).get(result.id) ?? null) : null, userErrors };
}

async function groupPayload(ctx: GraphqlContext, work: () => Promise<{ id: string }>): Promise<RegistryGroupPayload> {
  const { result, userErrors } = await withUserErrors(work);
  return { group: result ? ((await groupViews(ctx.app.db.pool, [result.id])).get(result.id) ?? null) : null, userErrors };
}

/** Input objects arrive as class instances with nulls for values given as null. */
const personFields = (input: RegistryPersonInput): PersonFields => ({ ...input, identifiers: input.identifiers.map(({ type, value }) => ({ type, value })) });

/**
 * The registry: searches in the DCI query language, and the changes staff make by hand. Every change
 * writes its registry events and its staff audit record in its own transaction (registry-changes.ts).
 */
@Resolver()
export class RegistryResolver {
  @Authorized(...READ)
  @Query(() => RegistryPersonConnection, { description: 'persons matching a DCI expression and/or an identifier; all persons when neither is given' })
  registryPersons(
    @Ctx() ctx: GraphqlContext,
    @Arg('expression', () => GraphQLJSON, { nullable: true, description: 'a DCI expression query, e.g. {"$and": [{"location": {"$eq": "central_region"}}]}' }) expression?: unknown,
    @Arg('identifierType', () => String, { nullable: true, description: 'a DCI identifier type: UIN, BRN, NationalID or MOBILE (with identifierValue)' }) identifierType?: string,
    @Arg('identifierValue', () => String, { nullable: true }) identifierValue?: string,
    @Arg('sort', () => [RegistrySortInput], { nullable: true, description: 'at most 3 keys, then by id' }) sort?: RegistrySortInput[],
    @Arg('first', () => Int, { nullable: true, description: 'page size, at most 100 (default 50)' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<RegistryPersonConnection> {
    return search(ctx, 'Person', { expression, identifierType, identifierValue, sort, first, after });
  }

  @Authorized(...READ)
  @Query(() => RegistryGroupConnection, { description: 'groups matching a DCI expression and/or their identifier; all groups when neither is given' })
  registryGroups(
    @Ctx() ctx: GraphqlContext,
    @Arg('expression', () => GraphQLJSON, { nullable: true, description: 'a DCI expression query, e.g. {"poverty_score": {"$lt": 5}}' }) expression?: unknown,
    @Arg('identifierType', () => String, { nullable: true, description: 'as the registry stores it, e.g. HouseholdID (with identifierValue)' }) identifierType?: string,
    @Arg('identifierValue', () => String, { nullable: true }) identifierValue?: string,
    @Arg('sort', () => [RegistrySortInput], { nullable: true, description: 'at most 3 keys, then by id' }) sort?: RegistrySortInput[],
    @Arg('first', () => Int, { nullable: true, description: 'page size, at most 100 (default 50)' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<RegistryGroupConnection> {
    return search(ctx, 'Group', { expression, identifierType, identifierValue, sort, first, after });
  }

  @Authorized(...READ)
  @Query(() => RegistryPerson, { nullable: true })
  async registryPerson(@Ctx() ctx: GraphqlContext, @Arg('id', () => ID) id: string): Promise<PersonView | null> {
    return isRecordId(id) ? ((await personViews(ctx.app.db.readPool, [id])).get(id) ?? null) : null;
  }

  @Authorized(...READ)
  @Query(() => RegistryGroup, { nullable: true })
  async registryGroup(@Ctx() ctx: GraphqlContext, @Arg('id', () => ID) id: string): Promise<GroupView | null> {
    return isRecordId(id) ? ((await groupViews(ctx.app.db.readPool, [id])).get(id) ?? null) : null;
  }

  @Authorized(...MANAGE)
  @Mutation(() => RegistryPersonPayload, { description: 'registers a new person (REGISTER event); refused when an identifier is known' })
  createPerson(@Ctx() ctx: GraphqlContext, @Arg('input', () => RegistryPersonInput) input: RegistryPersonInput): Promise<RegistryPersonPayload> {
    return personPayload(ctx, () => createPerson(ctx.app.db.orm.em.fork(), ctx.staff!, personFields(input)));
  }

  @Authorized(...MANAGE)
  @Mutation(() => RegistryPersonPayload, { description: 'changes a person (UPDATE event)' })
  updatePerson(@Ctx() ctx: GraphqlContext, @Arg('id', () => ID) id: string, @Arg('input', () => RegistryPersonUpdateInput) input: RegistryPersonUpdateInput): Promise<RegistryPersonPayload> {
    const { addIdentifiers, ...changes } = input;
    return personPayload(ctx, () => updatePerson(ctx.app.db.orm.em.fork(), ctx.staff!, id, { ...changes, addIdentifiers: addIdentifiers?.map(({ type, value }) => ({ type, value })) }));
  }

  @Authorized(...MANAGE)
  @Mutation(() => RegistryPersonPayload, { description: 'records a death (UPDATE and Death events)' })
  recordDeath(@Ctx() ctx: GraphqlContext, @Arg('personId', () => ID) personId: string, @Arg('deathDate', () => String, { description: 'YYYY-MM-DD' }) deathDate: string): Promise<RegistryPersonPayload> {
    return personPayload(ctx, () => recordDeath(ctx.app.db.orm.em.fork(), ctx.staff!, personId, deathDate));
  }

  @Authorized(...MANAGE)
  @Mutation(() => RegistryPersonPayload, { description: 'registers a newborn in a household (REGISTER and LiveBirth for the child, NewHouseHoldMember and UPDATE for the group)' })
  recordBirth(
    @Ctx() ctx: GraphqlContext,
    @Arg('groupId', () => ID) groupId: string,
    @Arg('child', () => RegistryPersonInput, { description: 'birthDate is required' }) child: RegistryPersonInput,
    @Arg('relationship', () => String, { nullable: true, description: 'to the head of the household (default child)' }) relationship?: string,
  ): Promise<RegistryPersonPayload> {
    return personPayload(ctx, () => recordBirth(ctx.app.db.orm.em.fork(), ctx.staff!, groupId, personFields(child), relationship ?? undefined));
  }

  @Authorized(...MANAGE)
  @Mutation(() => RegistryGroupPayload, { description: 'adds a person to a group (NewHouseHoldMember and UPDATE events)' })
  addGroupMember(
    @Ctx() ctx: GraphqlContext,
    @Arg('groupId', () => ID) groupId: string,
    @Arg('personId', () => ID) personId: string,
    @Arg('relationship', () => String, { description: 'to the head of the group; head makes them the head' }) relationship: string,
  ): Promise<RegistryGroupPayload> {
    return groupPayload(ctx, () => addGroupMember(ctx.app.db.orm.em.fork(), ctx.staff!, groupId, personId, relationship));
  }

  @Authorized(...MANAGE)
  @Mutation(() => RegistryGroupPayload, { description: 'removes a person from a group (UPDATE event)' })
  removeGroupMember(@Ctx() ctx: GraphqlContext, @Arg('groupId', () => ID) groupId: string, @Arg('personId', () => ID) personId: string): Promise<RegistryGroupPayload> {
    return groupPayload(ctx, () => removeGroupMember(ctx.app.db.orm.em.fork(), ctx.staff!, groupId, personId));
  }
}
