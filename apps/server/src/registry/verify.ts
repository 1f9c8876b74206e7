/** VERIFY: compares claims with the person found by an identifier; answers per claim, never with values. */
import { canonicalIdType, DciError, evaluateClaims, type ClaimResult } from '@dci-server/dci';
import type pg from 'pg';
import type { PersonRow } from './records.js';
import { findPersonRows } from './search.js';

export interface VerifyResult {
  found: boolean;
  claims: Record<string, ClaimResult>;
}

export async function verifyIdentity(pool: pg.Pool, identifier: { type: string; value: string }, claims: Readonly<Record<string, unknown>>): Promise<VerifyResult> {
  const idType = canonicalIdType('Person', identifier.type);
  if (!idType) throw new DciError('rjct.attribute.invalid', `Unknown identifier type '${identifier.type.slice(0, 64)}' for Person records`);
  const [row] = await findPersonRows(pool, { kind: 'identifier', idType, value: identifier.value }, 1);
  return { found: row !== undefined, claims: evaluateClaims(row && claimView(row), claims) };
}

/** The flat field names evaluateClaims compares (SUPPORTED_CLAIMS); is_alive is derived like the search attribute. */
function claimView(row: PersonRow): Record<string, unknown> {
  return {
    is_alive: row.death_date === null,
    is_disabled: row.is_disabled,
    birth_date: row.birth_date,
    death_date: row.death_date,
    given_name: row.given_name,
    second_name: row.second_name,
    surname: row.surname,
    sex: row.sex,
    marital_status: row.marital_status,
    location: row.location,
    city: row.city,
    postal_code: row.postal_code,
    country: row.country,
  };
}
