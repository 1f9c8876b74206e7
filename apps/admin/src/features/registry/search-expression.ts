/** The simple search fields, turned into the DCI expression the registry queries take. */
export interface RegistrySearch {
  kind: 'persons' | 'groups';
  identifierType: string;
  identifierValue: string;
  name: string;
  location: string;
  sex: string;
  bornFrom: string;
  bornTo: string;
  /** A DCI expression typed by hand (JSON), combined with the fields above. */
  advanced: string;
}

export const EMPTY_SEARCH: RegistrySearch = { kind: 'persons', identifierType: 'UIN', identifierValue: '', name: '', location: '', sex: '', bornFrom: '', bornTo: '', advanced: '' };

/** The expression for `search`, or an error message for the person when the advanced JSON is not an object. */
export function searchExpression(search: RegistrySearch): { expression?: Record<string, unknown>; error?: string } {
  const conditions: Record<string, unknown>[] = [];
  if (search.location.trim()) conditions.push({ location: { $eq: search.location.trim() } });
  if (search.kind === 'persons') {
    const words = search.name.trim().split(/\s+/).filter(Boolean);
    // One word may be either name; more words read as given name(s) then surname.
    if (words.length === 1) conditions.push({ $or: [{ given_name: words[0] }, { surname: words[0] }] });
    if (words.length > 1) conditions.push({ given_name: words.slice(0, -1).join(' ') }, { surname: words.at(-1) });
    if (search.sex) conditions.push({ sex: search.sex });
    if (search.bornFrom) conditions.push({ birth_date: { $gte: search.bornFrom } });
    if (search.bornTo) conditions.push({ birth_date: { $lte: search.bornTo } });
  }
  if (search.advanced.trim()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(search.advanced);
    } catch (error) {
      return { error: `The expression is not valid JSON: ${(error as Error).message}` };
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { error: 'The expression must be a JSON object, e.g. {"location": {"$eq": "central_region"}}' };
    conditions.push(parsed as Record<string, unknown>);
  }
  if (!conditions.length) return {};
  return { expression: conditions.length === 1 ? conditions[0] : { $and: conditions } };
}

/** The search as URL parameters (so a search survives going to a record and back), and back. */
export function searchToParams(search: RegistrySearch): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(search)) if (value && !(key === 'identifierType' && !search.identifierValue)) params.set(key, value);
  return params;
}

export function searchFromParams(params: URLSearchParams): RegistrySearch {
  const search = { ...EMPTY_SEARCH };
  for (const key of Object.keys(EMPTY_SEARCH) as (keyof RegistrySearch)[]) {
    const value = params.get(key);
    if (value !== null) (search as Record<string, string>)[key] = value;
  }
  if (search.kind !== 'groups') search.kind = 'persons';
  if (params.get('kind') === 'groups' && !params.get('identifierType')) search.identifierType = 'HouseholdID';
  return search;
}
