import { Field, Int, ObjectType, type ClassType } from 'type-graphql';

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

/**
 * A Relay connection type over `node`: `<Name>Connection { edges { cursor node } pageInfo totalCount }`
 * with `<Name>Edge`. Use as `@ObjectType() class XConnection extends connectionOf(X, 'X') {}`.
 */
export function connectionOf<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String) cursor!: string;
    @Field(() => node) node!: T;
  }

  // Not in the schema itself (nothing returns it); its subclasses are.
  @ObjectType()
  abstract class Connection {
    @Field(() => [Edge]) edges!: Edge[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
    // Given by the list's resolver, or computed only when asked by a field resolver (see transactions.ts).
    @Field(() => Int, { description: 'rows matching the filter, over all pages' }) totalCount?: number;
  }
  return Connection;
}
