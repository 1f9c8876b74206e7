import { Field, ObjectType } from 'type-graphql';
import { InvalidAgreementError } from '../agreements/agreement-input.js';
import { KeyError } from '../keys/key-algorithms.js';
import { SenderError } from '../senders/senders.js';
import { StaffError } from '../staff/staff-users.js';

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
    if (!(error instanceof SenderError || error instanceof KeyError || error instanceof StaffError || error instanceof InvalidAgreementError)) throw error;
    const message = error.message;
    const code = /^no /.test(message) ? 'NOT_FOUND' : /exists already|already/.test(message) ? 'CONFLICT' : 'INVALID_INPUT';
    return { result: undefined, userErrors: [{ field: error instanceof StaffError ? (error.field ?? null) : null, message, code }] };
  }
}
