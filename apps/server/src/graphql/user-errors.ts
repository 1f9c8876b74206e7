import { Field, ObjectType } from 'type-graphql';
import { InvalidAgreementError } from '../agreements/agreement-input.js';
import { KeyError } from '../keys/key-algorithms.js';
import { RegistryChangeError } from '../registry/registry-changes.js';
import { SenderError } from '../senders/senders.js';
import { StaffError } from '../staff/staff-users.js';
import { SubscriptionAdminError } from '../subscriptions/subscription-admin.js';

/** The domains' "you can fix this" errors; some name their code and the input field at fault. */
const USER_ERRORS = [SenderError, KeyError, StaffError, InvalidAgreementError, RegistryChangeError, SubscriptionAdminError];

/** An input problem the caller can fix, reported in the mutation's payload (not in GraphQL `errors`). */
@ObjectType()
export class UserError {
  @Field(() => String, { nullable: true, description: 'the input field at fault, when one is' })
  field!: string | null;

  @Field(() => String)
  message!: string;

  @Field(() => String, { description: 'INVALID_INPUT, NOT_FOUND or CONFLICT' })
  code!: string;
}

/**
 * Runs a mutation's work; the domain's "you can fix this" errors become userErrors, anything else
 * stays a fault. Returns the result or the errors, for the payload.
 */
export async function withUserErrors<T>(work: () => Promise<T>): Promise<{ result?: T; userErrors: UserError[] }> {
  try {
    return { result: await work(), userErrors: [] };
  } catch (error) {
    if (!USER_ERRORS.some((type) => error instanceof type)) throw error;
    const { message, code, field } = error as Error & { code?: string; field?: string | null };
    const guessed = /^no /.test(message) ? 'NOT_FOUND' : /already/.test(message) ? 'CONFLICT' : 'INVALID_INPUT';
    return { result: undefined, userErrors: [{ field: field ?? null, message, code: code ?? guessed }] };
  }
}
