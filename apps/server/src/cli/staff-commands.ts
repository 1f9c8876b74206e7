import { Option, type Command } from 'commander';
import { STAFF_ROLES } from '../staff/roles.js';
import { createApiToken } from '../staff/staff-tokens.js';
import { createStaffUser, listStaffUsers } from '../staff/staff-users.js';
import { formatDate, positiveInt, printJson, printTable, withDatabase } from './cli-support.js';

/** `staff …`: the people who use the console and the GraphQL API, and integrators' API tokens. */
export function addStaffCommands(program: Command): void {
  const staff = program.command('staff').description('staff accounts (console, GraphQL) and their API tokens');

  staff
    .command('create')
    .description('a staff account; its generated password is printed once')
    .requiredOption('--email <email>', 'sign-in email')
    .addOption(new Option('--role <role>', 'what the account may do').choices([...STAFF_ROLES]).makeOptionMandatory())
    .option('--name <name>', 'display name')
    .option('--json', 'print JSON')
    .action((options: { email: string; role: string; name?: string; json?: boolean }) =>
      withDatabase(async ({ db, audit }) => {
        const { user, password } = await createStaffUser(db.pool, options);
        await audit('createStaffUser', user.email, { after: { email: user.email, role: user.role } });
        if (options.json) return printJson({ email: user.email, role: user.role, password });
        console.log(`email:     ${user.email}\nrole:      ${user.role}\npassword:  ${password}`);
        console.error('the password is shown only this once');
      }),
    );

  staff
    .command('list')
    .description('staff accounts')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) =>
      withDatabase(async ({ db }) => {
        const users = await listStaffUsers(db.pool);
        if (options.json) return printJson(users);
        printTable(['EMAIL', 'NAME', 'ROLE', 'ACTIVE', 'CREATED'], users.map((u) => [u.email, u.name, u.role, u.active ? 'yes' : 'no', formatDate(u.createdAt)]));
      }),
    );

  staff
    .command('token')
    .description('personal API tokens')
    .command('create')
    .description('an API token for scripts (Authorization: Bearer on /graphql); printed once')
    .requiredOption('--email <email>', 'whose token')
    .requiredOption('--name <name>', 'what it is for')
    .addOption(new Option('--role <role>', "at most the user's role (default: the user's role)").choices([...STAFF_ROLES]))
    .option('--expires-days <n>', 'lifetime in days (default: no expiry)', positiveInt)
    .option('--json', 'print JSON')
    .action((options: { email: string; name: string; role?: string; expiresDays?: number; json?: boolean }) =>
      withDatabase(async ({ db, audit }) => {
        const expiresAt = options.expiresDays ? new Date(Date.now() + options.expiresDays * 86_400_000) : undefined;
        const created = await createApiToken(db.pool, { email: options.email, name: options.name, role: options.role, expiresAt });
        await audit('createApiToken', options.email, { after: { name: options.name, role: created.role, expiresAt } });
        if (options.json) return printJson({ token: created.token, role: created.role, expires_at: created.expiresAt });
        console.log(`token:    ${created.token}\nrole:     ${created.role}\nexpires:  ${formatDate(created.expiresAt) || 'never'}`);
        console.error('the token is shown only this once');
      }),
    );
}
