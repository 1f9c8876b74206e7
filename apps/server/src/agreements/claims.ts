/** Which verify claims an agreement lets a sender check. */
import type { DataSharingAgreement } from '@dci-server/db';
import type { ClaimName } from '@dci-server/dci';
import { KindRules } from './field-rules.js';

/** The Person record field each supported claim (SUPPORTED_CLAIMS) is compared with. */
export const CLAIM_FIELDS = {
  is_alive: 'death_date',
  is_disabled: 'is_disabled',
  birth_date: 'birth_date',
  death_date: 'death_date',
  given_name: 'name.given_name',
  second_name: 'name.second_name',
  surname: 'name.surname',
  sex: 'sex',
  marital_status: 'marital_status',
  location: 'address.region',
  city: 'address.city',
  postal_code: 'address.postal_code',
  country: 'address.country',
} as const satisfies Record<ClaimName, string>;

export interface ClaimSplit {
  allowed: string[];
  refused: string[];
}

/**
 * A claim is allowed only when the field it reads is shared as is: a yes / no on a denied,
 * masked or derived field would leak what the rule hides. Claims we cannot map to a field are
 * refused too (they would evaluate to 'unknown' anyway). The caller answers refused claims 'unknown'.
 */
export function allowedClaims(agreement: Pick<DataSharingAgreement, 'fieldRules'>, claims: Readonly<Record<string, unknown>>): ClaimSplit {
  const rules = new KindRules(agreement.fieldRules, 'Person');
  const split: ClaimSplit = { allowed: [], refused: [] };
  for (const name of Object.keys(claims)) {
    const field = Object.hasOwn(CLAIM_FIELDS, name) ? CLAIM_FIELDS[name as ClaimName] : undefined;
    (field && rules.effectiveAction(field) === 'allow' ? split.allowed : split.refused).push(name);
  }
  return split;
}
