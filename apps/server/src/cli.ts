#!/usr/bin/env node
import { Command } from 'commander';
import { reportFailure } from './cli/cli-support.js';
import { addAuditVerifyCommand } from './cli/audit-verify-command.js';
import { addAgreementCommands } from './cli/agreement-commands.js';
import { addAuditCommands } from './cli/audit-commands.js';
import { addCallCommand } from './cli/call-command.js';
import { addDatabaseCommands } from './cli/database-commands.js';
import { addDeliveryCommands } from './cli/delivery-commands.js';
import { addKeyCommands } from './cli/key-commands.js';
import { addSenderCommands } from './cli/sender-commands.js';
import { addStaffCommands } from './cli/staff-commands.js';
import { addSignCommand } from './cli/sign-command.js';

/** `npm run cli -- <command>` (the `dci-server` bin): operations on the server's database. */
const program = new Command('dci-server').description('DCI Server command-line tools').showHelpAfterError();

addDatabaseCommands(program);
addSenderCommands(program);
addKeyCommands(program);
addAgreementCommands(program);
addDeliveryCommands(program);
addStaffCommands(program);
addSignCommand(program);
addCallCommand(program);
addAuditVerifyCommand(addAuditCommands(program));

program.parseAsync().catch(reportFailure);
