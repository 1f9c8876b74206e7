import { Field, ObjectType } from 'type-graphql';

/** Relay's PageInfo; lists are newest first and paged forward. */
@ObjectType()
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

/** Page size asked for, within what one page may hold. */
export function pageSize(first: number | undefined, max = 200): number {
  return Math.min(Math.max(first ?? 50, 1), max);
}
