/** Applies an agreement's field rules to a DCI record before it leaves the server. */
import type { DataSharingAgreement } from '@dci-server/db';
import type { DciRecord, Json } from '../registry/records.js';
import { KindRules, type DefaultAction } from './field-rules.js';
import { copyJson, deriveValue, maskValue } from './field-values.js';

interface Walk {
  rules: KindRules;
  now: Date;
}

/**
 * A new record with the agreement's field rules applied (see field-rules.ts); the input is never
 * changed and the answer shares no object with it. `@type` markers carry no data and are always
 * kept. Group records get the Group rules, then the Person rules inside each member
 * (`member_list[]`, `group_head_info`), so that a group never shows what its members' own records
 * would hide.
 */
export function applyFieldRules(agreement: Pick<DataSharingAgreement, 'fieldRules'>, record: DciRecord, now = new Date()): DciRecord {
  const person: Walk = { rules: new KindRules(agreement.fieldRules, 'Person'), now };
  if (record['@type'] === 'Member') return person.rules.sharesAll ? copyJson(record) : shareMember(record, person);
  if (record['@type'] !== 'Group') return person.rules.sharesAll ? copyJson(record) : shareObject(record, '', person.rules.recordDefault, person);

  const groupRules = new KindRules(agreement.fieldRules, 'Group');
  // Most agreements have no rules at all: the answer is then the record as it is (a copy of it).
  if (groupRules.sharesAll && person.rules.sharesAll) return copyJson(record);
  const group = shareObject(record, '', groupRules.recordDefault, { rules: groupRules, now });
  if (Array.isArray(group.member_list)) group.member_list = group.member_list.map((m) => (isObject(m) ? shareMember(m, person) : m));
  if (isObject(group.group_head_info)) group.group_head_info = shareMember(group.group_head_info, person);
  return group;
}

/** A member's facts are the person's: Person rules apply, `member_identifier` being the person's `identifier`. */
function shareMember(member: DciRecord, walk: Walk): DciRecord {
  const shared: DciRecord = {};
  for (const [key, value] of Object.entries(member)) {
    let result: Json | undefined;
    if (key === '@type') result = copyJson(value);
    else if (key === 'demographic_info' && isObject(value)) result = shareObject(value, '', walk.rules.recordDefault, walk);
    else result = shareField(value, key === 'member_identifier' ? 'identifier' : key, walk.rules.recordDefault, walk);
    if (result !== undefined) shared[key] = result;
  }
  return shared;
}

/** The shared form of the field at `path`, or undefined to leave it out. */
function shareField(value: Json, path: string, inherited: DefaultAction, walk: Walk): Json | undefined {
  const rule = walk.rules.ruleAt(path);
  if (rule?.action === 'deny') return undefined;
  if (rule?.action === 'mask') return maskValue(value, rule.keepLast);
  // A value already derived is kept as it is: copied, as everything shared unchanged.
  if (rule?.action === 'derive') return copyJson(deriveValue(value, rule.derive, walk.now));
  const action = rule?.action ?? inherited;
  if (!walk.rules.hasRulesBelow(path)) return action === 'allow' ? copyJson(value) : undefined;
  return shareInside(value, path, action, walk);
}

/** Array elements share their array's path; an object or array emptied of all its data is left out. */
function shareInside(value: Json, path: string, inherited: DefaultAction, walk: Walk): Json | undefined {
  if (Array.isArray(value)) {
    const items = value.map((item) => shareInside(item, path, inherited, walk)).filter((item) => item !== undefined);
    return items.length || !value.length ? items : undefined;
  }
  if (!isObject(value)) return inherited === 'allow' ? value : undefined;
  const shared = shareObject(value, path, inherited, walk);
  return hasData(shared) || !hasData(value) ? shared : undefined;
}

function shareObject(value: DciRecord, path: string, inherited: DefaultAction, walk: Walk): DciRecord {
  const shared: DciRecord = {};
  for (const [key, item] of Object.entries(value)) {
    const result = key === '@type' ? copyJson(item) : shareField(item, path ? `${path}.${key}` : key, inherited, walk);
    if (result !== undefined) shared[key] = result;
  }
  return shared;
}

function hasData(value: DciRecord): boolean {
  return Object.keys(value).some((key) => key !== '@type');
}

function isObject(value: Json | undefined): value is DciRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
