/** GraphQL leaves absent input fields undefined and explicit nulls null: a change is what is neither. */
export function given<T extends object>(input: T): Partial<{ [K in keyof T]: NonNullable<T[K]> }> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined && value !== null)) as Partial<{ [K in keyof T]: NonNullable<T[K]> }>;
}
