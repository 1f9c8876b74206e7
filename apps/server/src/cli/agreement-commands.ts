import { InvalidArgumentError, type Command } from 'commander';
import type { FieldRule } from '@dci-server/db';
import { createAgreement, deactivateAgreement, listAgreements, termsOf, updateAgreement, type AgreementChanges } from '../agreements/agreements.js';
import { findSender } from '../senders/senders.js';
import { CliError, formatDate, isoDate, printJson, printTable, withDatabase } from './cli-support.js';

const list = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);

/** `field:action[:arg]`, e.g. `birth_date:derive:year`, `identifier.identifier_value:mask:4`, `phone_number:deny`. */
function fieldRule(value: string, previous: FieldRule[] = []): FieldRule[] {
  const [field, action, arg] = value.split(':');
  if (!field || !action || !['allow', 'deny', 'mask', 'derive'].includes(action)) throw new InvalidArgumentError('use field:allow, field:deny, field:mask[:keepLast] or field:derive:year|age');
  const rule: FieldRule = { field, action: action as FieldRule['action'] };
  if (action === 'mask' && arg) rule.keepLast = Number(arg);
  if (action === 'derive') rule.derive = arg;
  return [...previous, rule];
}

interface TermOptions {
  name?: string;
  purpose?: string;
  legalBasis?: string;
  validFrom?: Date;
  validTo?: Date;
  regTypes?: string[];
  recordTypes?: string[];
  queryTypes?: string[];
  attributes?: string[];
  maxPageSize?: number;
  dailyQuota?: number;
  rule?: FieldRule[];
}

/** The options add and update share; update leaves out what is not given. */
function withTermOptions(command: Command): Command {
  return command
    .option('--legal-basis <text>', 'the law or contract allowing it')
    .option('--valid-from <date>', 'start (ISO 8601)', isoDate)
    .option('--valid-to <date>', 'end, exclusive (ISO 8601)', isoDate)
    .option('--reg-types <list>', 'allowed reg_type values', list)
    .option('--record-types <list>', 'Person, Group', list)
    .option('--query-types <list>', 'idtype-value, expression, predicate', list)
    .option('--attributes <list>', 'searchable attributes and identifier types, e.g. UIN,location,age', list)
    .option('--max-page-size <n>', 'largest page', Number)
    .option('--daily-quota <n>', 'search / verify items per UTC day', Number)
    .option('--rule <field:action[:arg]>', 'field rule, repeatable (update: replaces every rule): birth_date:derive:year, identifier.identifier_value:mask:4, phone_number:deny, *:deny', fieldRule);
}

function termsFrom(o: TermOptions): AgreementChanges {
  const terms: AgreementChanges = {
    name: o.name,
    purpose: o.purpose,
    legalBasis: o.legalBasis,
    validFrom: o.validFrom,
    validTo: o.validTo,
    allowedRegTypes: o.regTypes,
    allowedRecordTypes: o.recordTypes,
    allowedQueryTypes: o.queryTypes,
    allowedAttributes: o.attributes,
    maxPageSize: o.maxPageSize,
    dailyQuota: o.dailyQuota,
    fieldRules: o.rule,
  };
  return Object.fromEntries(Object.entries(terms).filter(([, value]) => value !== undefined));
}

/** `agreements …`: what each sender may ask for and see. Without one, a sender gets no data. Every change is in the staff audit. */
export function addAgreementCommands(program: Command): void {
  const agreements = program.command('agreements').description('data-sharing agreements: no agreement, no data');

  withTermOptions(
    agreements
      .command('add')
      .description('add an agreement for a sender (every list empty = any)')
      .argument('<sender_id>')
      .requiredOption('--name <name>', 'what it is called')
      .requiredOption('--purpose <text>', 'why the data is shared'),
  ).action((senderId: string, o: TermOptions & { name: string; purpose: string }) =>
    withDatabase(async ({ db, audit }) => {
      const em = db.orm.em.fork();
      const sender = await findSender(em, senderId);
      const agreement = await createAgreement(em, { ...termsFrom(o), sender, name: o.name, purpose: o.purpose });
      await audit('createAgreement', agreement.id, { after: termsOf(agreement) });
      console.log(`agreement ${agreement.id} added for ${senderId}`);
    }),
  );

  withTermOptions(
    agreements
      .command('update')
      .description("change an agreement's terms; what is not given is kept")
      .argument('<id>')
      .option('--name <name>', 'what it is called')
      .option('--purpose <text>', 'why the data is shared'),
  ).action((id: string, o: TermOptions) =>
    withDatabase(async ({ db, audit }) => {
      const { before, after } = await updateAgreement(db.orm.em.fork(), id, termsFrom(o));
      await audit('updateAgreement', id, { before, after: termsOf(after) });
      console.log(`agreement ${id} updated`);
    }),
  );
  agreements
    .command('list')
    .argument('<sender_id>')
    .option('--json', 'JSON output')
    .action((senderId: string, o: { json?: boolean }) =>
      withDatabase(async ({ db }) => {
        const rows = await listAgreements(db.orm.em.fork(), { senderId });
        if (o.json) return printJson(rows.map(termsOf));
        printTable(['id', 'name', 'active', 'valid from', 'valid to', 'page cap', 'quota', 'rules'], rows.map((a) => [a.id, a.name, String(a.active), formatDate(a.validFrom), formatDate(a.validTo), String(a.maxPageSize ?? ''), String(a.dailyQuota ?? ''), String(a.fieldRules.length)]));
      }),
    );

  agreements
    .command('deactivate')
    .argument('<id>')
    .action((id: string) =>
      withDatabase(async ({ db, audit }) => {
        if (!(await deactivateAgreement(db.orm.em.fork(), id))) throw new CliError(`no agreement ${id}`);
        await audit('endAgreement', id, { after: { active: false } });
        console.log(`agreement ${id} deactivated`);
      }),
    );
}

