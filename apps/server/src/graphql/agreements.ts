import type { DataSharingAgreement, FieldRule as StoredFieldRule } from '@dci-server/db';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { createAgreement, deactivateAgreement, findAgreementById, listAgreements, termsOf, updateAgreement, type AgreementChanges } from '../agreements/agreements.js';
import { InvalidAgreementError } from '../agreements/agreement-input.js';
import { previewAgreement } from '../agreements/preview.js';
import { findSender } from '../senders/senders.js';
import { recordStaffAction } from '../staff/staff-audit.js';
import { MANAGE, READ, type GraphqlContext } from './context.js';
import { given } from './inputs.js';
import { UserError, withUserErrors } from './user-errors.js';
import { Sender } from './senders.js';

@ObjectType({ description: 'What a sender sees of one record field; see the agreement field rules' })
class FieldRule {
  @Field(() => String, { description: "dotted path (name.given_name), optionally Person. or Group.; '*' for every field without a rule" }) field!: string;
  @Field(() => String, { description: 'allow, deny, mask or derive' }) action!: string;
  @Field(() => Int, { nullable: true, description: 'mask: characters left visible at the end (default 4)' }) keepLast?: number;
  @Field(() => String, { nullable: true, description: 'derive: year or age' }) derive?: string;
}

@InputType()
class FieldRuleInput {
  @Field(() => String) field!: string;
  @Field(() => String, { description: 'allow, deny, mask or derive' }) action!: string;
  @Field(() => Int, { nullable: true }) keepLast?: number;
  @Field(() => String, { nullable: true }) derive?: string;
}

@ObjectType({ description: 'A data-sharing agreement: what one sender may ask for and see. No agreement, no data.' })
class Agreement {
  @Field(() => ID) id!: string;
  @Field(() => String) senderId!: string;
  @Field(() => String) name!: string;
  @Field(() => String) purpose!: string;
  @Field(() => String, { nullable: true }) legalBasis!: string | null;
  @Field(() => Date, { nullable: true }) validFrom!: Date | null;
  @Field(() => Date, { nullable: true, description: 'exclusive' }) validTo!: Date | null;
  @Field(() => Boolean) active!: boolean;
  @Field(() => [String], { description: 'empty: any' }) allowedRegTypes!: string[];
  @Field(() => [String], { description: 'empty: any' }) allowedRecordTypes!: string[];
  @Field(() => [String], { description: 'empty: any' }) allowedQueryTypes!: string[];
  @Field(() => [String], { description: 'searchable attributes and identifier types; empty: any' }) allowedAttributes!: string[];
  @Field(() => Int, { nullable: true }) maxPageSize!: number | null;
  @Field(() => Int, { nullable: true, description: 'search / verify items per UTC day' }) dailyQuota!: number | null;
  @Field(() => [FieldRule]) fieldRules!: FieldRule[];
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType()
class AgreementPayload {
  @Field(() => Agreement, { nullable: true }) agreement!: Agreement | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

/** The terms both create and update take; on update a field left out keeps its value, and null clears an optional one. */
@InputType()
class AgreementTermsInput {
  @Field(() => String, { nullable: true }) name?: string;
  @Field(() => String, { nullable: true }) purpose?: string;
  @Field(() => String, { nullable: true }) legalBasis?: string;
  @Field(() => Date, { nullable: true }) validFrom?: Date;
  @Field(() => Date, { nullable: true }) validTo?: Date;
  @Field(() => [String], { nullable: true }) allowedRegTypes?: string[];
  @Field(() => [String], { nullable: true, description: 'Person, Group' }) allowedRecordTypes?: string[];
  @Field(() => [String], { nullable: true, description: 'idtype-value, expression, predicate' }) allowedQueryTypes?: string[];
  @Field(() => [String], { nullable: true }) allowedAttributes?: string[];
  @Field(() => Int, { nullable: true }) maxPageSize?: number;
  @Field(() => Int, { nullable: true }) dailyQuota?: number;
  @Field(() => [FieldRuleInput], { nullable: true, description: 'replaces every rule when given' }) fieldRules?: FieldRuleInput[];
}

@InputType()
class CreateAgreementInput extends AgreementTermsInput {
  @Field(() => String) senderId!: string;
}

@InputType({ description: 'A registry record: its id, or one of its identifiers' })
class RecordRefInput {
  @Field(() => String, { nullable: true, description: 'Person (default) or Group' }) recordType?: string;
  @Field(() => ID, { nullable: true }) id?: string;
  @Field(() => String, { nullable: true, description: 'UIN, BRN, NationalID, MOBILE' }) identifierType?: string;
  @Field(() => String, { nullable: true }) identifierValue?: string;
}

@ObjectType({ description: 'A registry record as a sender receives it in DCI answers and notifications' })
class AgreementPreview {
  @Field(() => String, { nullable: true }) recordKind!: string | null;
  @Field(() => ID, { nullable: true, description: 'the agreement in force whose rules were applied; null for draft rules' }) agreementId!: string | null;
  @Field(() => [FieldRule], { nullable: true }) fieldRules!: FieldRule[] | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'the record as stored' }) original!: object | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'the record as the sender receives it' }) shared!: object | null;
  @Field(() => [UserError], { description: 'bad draft rules, unknown sender or record, no agreement in force' }) userErrors!: UserError[];
}

function toAgreement(agreement: DataSharingAgreement): Agreement {
  return { ...termsOf(agreement), senderId: agreement.sender.getEntity().senderId, legalBasis: agreement.legalBasis ?? null, validFrom: agreement.validFrom ?? null, validTo: agreement.validTo ?? null, maxPageSize: agreement.maxPageSize ?? null, dailyQuota: agreement.dailyQuota ?? null };
}

function rules(input: FieldRuleInput[] | undefined): StoredFieldRule[] | undefined {
  return input?.map((rule) => given(rule) as StoredFieldRule);
}

/** Terms that may be absent: an explicit null clears them (e.g. an end date). */
const CLEARABLE = ['legalBasis', 'validFrom', 'validTo', 'maxPageSize', 'dailyQuota'] as const;

function changes(input: AgreementTermsInput): AgreementChanges {
  const { fieldRules, ...terms } = given(input);
  const cleared = Object.fromEntries(CLEARABLE.filter((key) => input[key] === null).map((key) => [key, null]));
  return { ...terms, ...cleared, ...(fieldRules ? { fieldRules: rules(fieldRules) } : {}) };
}

/** Agreements: the same services as `npm run cli -- agreements …`; every change is in the staff audit. */
@Resolver()
export class AgreementResolver {
  @Authorized(...READ)
  @Query(() => [Agreement], { description: 'newest first' })
  async agreements(@Ctx() ctx: GraphqlContext, @Arg('senderId', () => String, { nullable: true }) senderId?: string, @Arg('active', () => Boolean, { nullable: true }) active?: boolean): Promise<Agreement[]> {
    return (await listAgreements(ctx.app.db.orm.em.fork(), given({ senderId, active }))).map(toAgreement);
  }

  @Authorized(...READ)
  @Query(() => Agreement, { nullable: true })
  async agreement(@Ctx() ctx: GraphqlContext, @Arg('id', () => ID) id: string): Promise<Agreement | null> {
    const agreement = await findAgreementById(ctx.app.db.orm.em.fork(), id);
    return agreement && toAgreement(agreement);
  }

  @Authorized(...READ)
  @Query(() => AgreementPreview, { description: "a registry record exactly as the sender receives it, under the agreement in force or under draft fieldRules (nothing is saved)" })
  async previewAgreement(
    @Ctx() ctx: GraphqlContext,
    @Arg('senderId', () => String) senderId: string,
    @Arg('recordRef', () => RecordRefInput) recordRef: RecordRefInput,
    @Arg('fieldRules', () => [FieldRuleInput], { nullable: true, description: 'draft rules to preview instead of those in force' }) fieldRules?: FieldRuleInput[],
  ): Promise<AgreementPreview> {
    const { result, userErrors } = await withUserErrors(() => previewAgreement(ctx.app.db.pool, ctx.app.db.orm.em.fork(), senderId, given(recordRef), rules(fieldRules ?? undefined)));
    return { recordKind: result?.recordKind ?? null, agreementId: result?.agreementId ?? null, fieldRules: result?.fieldRules ?? null, original: result?.original ?? null, shared: result?.shared ?? null, userErrors };
  }

  @Authorized(...MANAGE)
  @Mutation(() => AgreementPayload)
  async createAgreement(@Ctx() ctx: GraphqlContext, @Arg('input', () => CreateAgreementInput) input: CreateAgreementInput): Promise<AgreementPayload> {
    const { result, userErrors } = await withUserErrors(async () => {
      const em = ctx.app.db.orm.em.fork();
      const { senderId, name, purpose, ...terms } = changes(input) as AgreementChanges & { senderId: string };
      if (!name || !purpose) throw new InvalidAgreementError('name and purpose are required');
      return createAgreement(em, { ...terms, name, purpose, sender: await findSender(em, senderId) });
    });
    if (result) await recordStaffAction(ctx.app.db.pool, ctx.staff!, 'createAgreement', result.id, { after: termsOf(result) });
    return { agreement: result ? toAgreement(result) : null, userErrors };
  }

  @Authorized(...MANAGE)
  @Mutation(() => AgreementPayload, { description: 'the next DCI call is answered under the new terms' })
  async updateAgreement(@Ctx() ctx: GraphqlContext, @Arg('id', () => ID) id: string, @Arg('input', () => AgreementTermsInput) input: AgreementTermsInput): Promise<AgreementPayload> {
    const { result, userErrors } = await withUserErrors(() => updateAgreement(ctx.app.db.orm.em.fork(), id, changes(input)));
    if (result) await recordStaffAction(ctx.app.db.pool, ctx.staff!, 'updateAgreement', id, { before: result.before, after: termsOf(result.after) });
    return { agreement: result ? toAgreement(result.after) : null, userErrors };
  }

  @Authorized(...MANAGE)
  @Mutation(() => AgreementPayload, { description: 'deactivates it (kept, so past answers stay explainable)' })
  async endAgreement(@Ctx() ctx: GraphqlContext, @Arg('id', () => ID) id: string): Promise<AgreementPayload> {
    const { result, userErrors } = await withUserErrors(async () => (await deactivateAgreement(ctx.app.db.orm.em.fork(), id)) ?? Promise.reject(new InvalidAgreementError(`no agreement ${id}`)));
    if (result) await recordStaffAction(ctx.app.db.pool, ctx.staff!, 'endAgreement', id, { before: { active: true }, after: { active: false } });
    return { agreement: result ? toAgreement(result) : null, userErrors };
  }
}

/** A sender's agreements, on the sender itself (its detail page shows them). */
@Resolver(() => Sender)
export class SenderAgreementsResolver {
  @FieldResolver(() => [Agreement], { description: 'newest first' })
  async agreements(@Ctx() ctx: GraphqlContext, @Root() sender: Sender): Promise<Agreement[]> {
    return (await listAgreements(ctx.app.db.orm.em.fork(), { senderId: sender.senderId })).map(toAgreement);
  }
}
