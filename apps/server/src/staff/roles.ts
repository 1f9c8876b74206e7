/**
 * admin: everything. operator: senders, agreements, subscriptions, deliveries, registry (not server
 * keys, not staff). auditor: reads everything, request and response bodies included; changes nothing.
 */
export const STAFF_ROLES = ['admin', 'operator', 'auditor'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export function isStaffRole(value: string): value is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(value);
}

/** Who is acting: a signed-in staff user, an integrator's API token, or the command line. */
export interface StaffIdentity {
  userId: string | null;
  email: string;
  role: StaffRole;
  via: 'session' | 'token' | 'cli';
  tokenId?: string;
}

export const CLI_IDENTITY: StaffIdentity = { userId: null, email: 'cli', role: 'admin', via: 'cli' };

/** How the staff audit names an actor. */
export function actorName(identity: StaffIdentity): string {
  if (identity.via === 'cli') return 'cli';
  return identity.via === 'token' ? `token:${identity.tokenId}:${identity.email}` : `staff:${identity.email}`;
}
