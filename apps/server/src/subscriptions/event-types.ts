import { DciError } from '@dci-server/dci';

/**
 * Registry event types. The social-registry spec names REGISTER and NewHouseHoldMember; the
 * CRVS spec names the vital events (LiveBirth, Death, Marriage, Divorce); UPDATE is our
 * extension for any change of a record (documented in EXTENSIONS.md).
 */
const EVENT_TYPES = ['REGISTER', 'UPDATE', 'NewHouseHoldMember', 'LiveBirth', 'Death', 'Marriage', 'Divorce'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const ALIASES: Record<string, EventType> = {
  register: 'REGISTER',
  registration: 'REGISTER',
  update: 'UPDATE',
  newhouseholdmember: 'NewHouseHoldMember',
  new_household_member: 'NewHouseHoldMember',
  livebirth: 'LiveBirth',
  birth: 'LiveBirth',
  death: 'Death',
  marriage: 'Marriage',
  divorce: 'Divorce',
};

/** Accepts the spec names with or without their namespace (`spdci-common:RegistryEventType:LiveBirth`) and plain aliases. */
export function normalizeEventType(value: unknown): EventType {
  const name = typeof value === 'string' ? value.replace(/^.*:/, '').trim().toLowerCase() : '';
  const type = ALIASES[name];
  if (!type) throw new DciError('rjct.notify_types.invalid', `Unknown event type ${JSON.stringify(value)}; use one of ${EVENT_TYPES.join(', ')}`);
  return type;
}
