import { InvalidArgumentError, type Command } from 'commander';
import { sealAll, verifyAuditChain } from '../transactions/audit-chain.js';
import { printJson, withDatabase } from './cli-support.js';

/** `--anchor <seq>:<hash>`: a head printed by an earlier `audit verify`, kept elsewhere. */
function anchor(value: string): { seq: string; hash: string } {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected <seq>:<64 hex characters>, as printed by an earlier `audit verify`');
  return { seq: match[1]!, hash: match[2]! };
}

/** `audit verify` (under the `audit` command group): checks the audit log's hash chain and reports the first broken link (exit code 1). */
export function addAuditVerifyCommand(audit: Command): void {
  audit
    .command('verify')
    .description('check the tamper-evident hash chain of the audit log; exit code 1 at the first broken link')
    .option('--anchor <seq:hash>', 'a head printed by an earlier run, that must still be in the chain', anchor)
    .option('--seal', 'first seal rows not yet on the chain (a worker does this every second)')
    .option('--json', 'JSON output')
    .action((options: { anchor?: { seq: string; hash: string }; seal?: boolean; json?: boolean }) =>
      withDatabase(async ({ db }) => {
        if (options.seal) await sealAll(db.pool);
        const report = await verifyAuditChain(db.pool, { anchor: options.anchor });
        if (!report.ok) process.exitCode = 1;
        if (options.json) return printJson(report);
        if (report.firstBreak) {
          console.log(`BROKEN at seq ${report.firstBreak.seq}${report.firstBreak.id ? ` (row ${report.firstBreak.id})` : ''}: ${report.firstBreak.reason}`);
          console.log(`${report.verified} rows verified before it`);
          return;
        }
        console.log(`ok: ${report.verified} rows verified${report.firstSeq && report.firstSeq !== '1' ? ` from seq ${report.firstSeq} (earlier rows removed by retention)` : ''}`);
        if (report.head) console.log(`head: ${report.head.seq}:${report.head.hash}  (keep it; pass it as --anchor later)`);
        if (report.unsealed) console.log(`${report.unsealed} rows not sealed yet (oldest ${report.oldestUnsealedAt})`);
      }),
    );
}
