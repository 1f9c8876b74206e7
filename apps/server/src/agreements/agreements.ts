/**
 * Data-sharing agreements: finding the one that governs a sender's request, and the thin services
 * the CLI / admin API use. No agreement, no data: callers refuse a sender that has none.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { DataSharingAgreementSchema, type DataSharingAgreement, type Sender } from '@dci-server/db';
import { DciError } from '@dci-server/dci';
import type pg from 'pg';
import type { ChangeFeed } from '../change-feed.js';
import { checkAgreementInput, InvalidAgreementError, type NewAgreement } from './agreement-input.js';

/** An agreement's terms, without its sender. */
export type AgreementTerms = Omit<DataSharingAgreement, 'sender'>;

export const DEMO_AGREEMENT_NAME = 'Demo: everything, for trying the API';

/**
 * The active agreement of `senderId` (the DCI sender id) valid at `now`: from validFrom (inclusive)
 * to validTo (exclusive), either end open when null. If several are, the most recently created wins.
 */
export async function findAgreement(db: pg.Pool | pg.PoolClient, senderId: string, now = new Date()): Promise<AgreementTerms> {
  return agreementAt(await activeAgreements(db, senderId), senderId, now);
}

/** findAgreement from memory: a sender's active agreements are kept until an agreement or sender changes anywhere (see change-feed.ts). */
export async function currentAgreement(db: pg.Pool, changes: ChangeFeed, senderId: string, now = new Date()): Promise<AgreementTerms> {
  const active = await changes.cache<AgreementTerms[]>('active-agreements', ['data_sharing_agreement', 'sender']).get(senderId, () => activeAgreements(db, senderId));
  return agreementAt(active, senderId, now);
}

async function activeAgreements(db: pg.Pool | pg.PoolClient, senderId: string): Promise<AgreementTerms[]> {
  // Plain SQL: this runs on every DCI call (see senders/sender-auth.ts).
  const { rows } = await db.query<AgreementTerms>({
    name: 'active-agreements',
    text: `SELECT a.id, a.name, a.purpose, a.legal_basis AS "legalBasis", a.valid_from AS "validFrom", a.valid_to AS "validTo", a.active,
       a.allowed_reg_types AS "allowedRegTypes", a.allowed_record_types AS "allowedRecordTypes", a.allowed_query_types AS "allowedQueryTypes",
       a.allowed_attributes AS "allowedAttributes", a.max_page_size AS "maxPageSize", a.daily_quota AS "dailyQuota", a.field_rules AS "fieldRules",
       a.created_at AS "createdAt", a.updated_at AS "updatedAt"
     FROM data_sharing_agreement a JOIN sender s ON s.id = a.sender_id
     WHERE s.sender_id = $1 AND a.active ORDER BY a.created_at DESC, a.id`,
    values: [senderId],
  });
  return rows;
}

function agreementAt(active: readonly AgreementTerms[], senderId: string, now: Date): AgreementTerms {
  const current = active.find((a) => isValidAt(a, now));
  if (current) return current;
  if (!active.length) throw new DciError('err.agreement.missing', `Sender ${senderId} has no active data-sharing agreement`);
  // Name the agreement the sender most likely means: the next to start, else the last to expire.
  const upcoming = active.filter((a) => a.validFrom && a.validFrom > now).sort((a, b) => a.validFrom!.getTime() - b.validFrom!.getTime())[0];
  if (upcoming) {
    throw new DciError('err.agreement.missing', `The data-sharing agreement '${upcoming.name}' of sender ${senderId} is not valid before ${upcoming.validFrom!.toISOString()}`);
  }
  const expired = [...active].sort((a, b) => b.validTo!.getTime() - a.validTo!.getTime())[0]!;
  throw new DciError('err.agreement.missing', `The data-sharing agreement '${expired.name}' of sender ${senderId} expired at ${expired.validTo!.toISOString()}`);
}

function isValidAt(agreement: Pick<DataSharingAgreement, 'validFrom' | 'validTo'>, now: Date): boolean {
  return (!agreement.validFrom || agreement.validFrom <= now) && (!agreement.validTo || now < agreement.validTo);
}

/** Throws InvalidAgreementError on bad input (unknown fields, attributes, types; see agreement-input.ts). */
export async function createAgreement(em: EntityManager, input: NewAgreement): Promise<DataSharingAgreement> {
  const agreement = em.create(DataSharingAgreementSchema, checkAgreementInput(input));
  await em.flush();
  return agreement;
}

export interface AgreementFilter {
  /** The DCI sender id. */
  senderId?: string;
  active?: boolean;
}

/** Agreements, active or not unless filtered, newest first, with their sender loaded. */
export async function listAgreements(em: EntityManager, filter: AgreementFilter = {}): Promise<DataSharingAgreement[]> {
  return em.find(
    DataSharingAgreementSchema,
    { ...(filter.senderId !== undefined ? { sender: { senderId: filter.senderId } } : {}), ...(filter.active !== undefined ? { active: filter.active } : {}) },
    { orderBy: { createdAt: 'desc', id: 'asc' }, populate: ['sender'] },
  );
}

/** One agreement with its sender, or null (an id that is not a UUID is simply not found). */
export async function findAgreementById(em: EntityManager, id: string): Promise<DataSharingAgreement | null> {
  return UUID.test(id) ? em.findOne(DataSharingAgreementSchema, { id }, { populate: ['sender'] }) : null;
}

/** What an update may change: any term but the sender; fields left out keep their value. */
export type AgreementChanges = Partial<Omit<NewAgreement, 'sender'>>;

/**
 * Changes an agreement's terms under the same checks as a new one; the next DCI call already
 * answers under them. Returns the terms before and after; throws InvalidAgreementError.
 */
export async function updateAgreement(em: EntityManager, id: string, changes: AgreementChanges): Promise<{ before: AgreementTerms; after: DataSharingAgreement }> {
  const agreement = await findAgreementById(em, id);
  if (!agreement) throw new InvalidAgreementError(`no agreement ${id}`);
  const before = termsOf(agreement);
  const { sender: _sender, ...checked } = checkAgreementInput({ ...agreement, sender: agreement.sender.getEntity(), ...changes });
  em.assign(agreement, checked);
  await em.flush();
  return { before, after: agreement };
}

/** Agreements are deactivated, never deleted, so that past answers stay explainable. Null when there is no such agreement. */
export async function deactivateAgreement(em: EntityManager, id: string): Promise<DataSharingAgreement | null> {
  const agreement = await findAgreementById(em, id);
  if (!agreement) return null;
  agreement.active = false;
  await em.flush();
  return agreement;
}

/** An agreement's terms without its sender reference (for audit records and JSON output). */
export function termsOf(agreement: DataSharingAgreement): AgreementTerms {
  const { sender: _sender, ...terms } = agreement;
  return { ...terms, fieldRules: structuredClone(terms.fieldRules) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Demo mode: an allow-everything agreement for the demo sender, unless it already has one (kept as edited). */
export async function ensureDemoAgreement(em: EntityManager, sender: Sender): Promise<DataSharingAgreement | undefined> {
  if (await em.count(DataSharingAgreementSchema, { sender })) return undefined;
  return createAgreement(em, {
    sender,
    name: DEMO_AGREEMENT_NAME,
    purpose: 'Trying the DCI API with generated demo data; not for real personal data.',
    legalBasis: 'None: demo data only',
  });
}
