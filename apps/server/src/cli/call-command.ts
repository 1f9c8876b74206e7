import path from 'node:path';
import { DciClient, DciRequestError, DciSignatureError, DciTokenError, loadSenderFiles, type DciAnswer } from '@dci-server/client';
import { SUPPORTED_CLAIMS, type Claims, type SignatureScheme } from '@dci-server/dci';
import { Option, type Command } from 'commander';
import { loadConfig } from '../config.js';
import { DEMO_SENDER_ID } from '../senders/demo-sender.js';
import { CliError, collect } from './cli-support.js';

interface CallOptions {
  credentials?: string;
  key?: string;
  scheme: SignatureScheme;
  json?: boolean;
}

/**
 * `call search|verify|txn-status …`: one signed DCI request through the client SDK, as a sender
 * (default: the demo sender's files in DATA_DIR/demo), printing what was sent and the answer once
 * its signature has been checked against the server's JWKS. Talks to a running server over HTTP.
 */
export function addCallCommand(program: Command): void {
  const call = program.command('call').description('send a signed DCI request to a running server and print the verified answer (default: as the demo sender)');
  const common = (command: Command) =>
    command
      .option('--credentials <file>', `{sender_id, client_id, client_secret, base_url} (default: DATA_DIR/demo/${DEMO_SENDER_ID}.credentials.json)`)
      .option('--key <file>', `the sender's private JWK (default: DATA_DIR/demo/${DEMO_SENDER_ID}.key.jwk)`)
      .addOption(new Option('--scheme <scheme>', 'how we sign').choices(['dci-signature', 'jws']).default('dci-signature'))
      .option('--json', 'print one JSON document {request, response, signedBy}');

  common(call.command('search').description('sync search by identifier').argument('<type>', 'identifier type, e.g. UIN').argument('<value>', 'identifier value'))
    .addOption(new Option('--record-type <type>', 'what to look for').choices(['Person', 'Group']).default('Person'))
    .action((type: string, value: string, options: CallOptions & { recordType: string }) =>
      run(options, (client) => client.search({ reg_record_type: options.recordType, query_type: 'idtype-value', query: { type, value } })),
    );

  common(call.command('verify').description('sync verify: do these claims hold for the record with this identifier?').argument('<type>', 'identifier type').argument('<value>', 'identifier value'))
    .option('--claim <name=value>', `a claim, repeatable (${Object.keys(SUPPORTED_CLAIMS).join(', ')})`, collect, [])
    .action((type: string, value: string, options: CallOptions & { claim: string[] }) =>
      run(options, (client) => client.verify({ identifier: { type, value }, claims: claimsOf(options.claim) })),
    );

  common(call.command('txn-status').description('sync status of an earlier search of the same sender').argument('<transaction_id>', 'its message.transaction_id'))
    .action((transactionId: string, options: CallOptions) => run(options, (client) => client.txnStatus(transactionId)));
}

async function run(options: CallOptions, send: (client: DciClient) => Promise<DciAnswer<unknown>>): Promise<void> {
  const demo = path.join(loadConfig().dataDir, 'demo');
  const credentials = options.credentials ?? path.join(demo, `${DEMO_SENDER_ID}.credentials.json`);
  const key = options.key ?? path.join(demo, `${DEMO_SENDER_ID}.key.jwk`);
  const clientOptions = await loadSenderFiles({ credentials, key, scheme: options.scheme }).catch((error: Error) => {
    throw new CliError(`cannot read the sender's files: ${error.message}${options.credentials ? '' : ' (start the server once in demo mode, or give --credentials and --key)'}`);
  });
  let answer: DciAnswer<unknown>;
  try {
    answer = await send(new DciClient(clientOptions));
  } catch (error) {
    if (error instanceof DciRequestError || error instanceof DciTokenError || error instanceof DciSignatureError) throw new CliError(error.message);
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if (error instanceof TypeError && cause) throw new CliError(`cannot reach ${clientOptions.baseUrl}: ${cause.code ?? cause.message} (is the server running?)`);
    throw error;
  }
  const response = { signature: answer.signature, header: answer.header, message: answer.message };
  if (options.json) return console.log(JSON.stringify({ request: answer.request, response, signedBy: answer.signedBy }, null, 2));
  console.log(`--- request ---\n${JSON.stringify(answer.request, null, 2)}`);
  console.log(`--- response (signature valid: key ${answer.signedBy.kid}, ${answer.signedBy.scheme}) ---\n${JSON.stringify(response, null, 2)}`);
}

/** `name=value` pairs; boolean claims take true/false. */
function claimsOf(pairs: string[]): Claims {
  if (pairs.length === 0) throw new CliError('give at least one --claim name=value');
  const claims: Claims = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) throw new CliError(`--claim ${pair}: write name=value`);
    const name = pair.slice(0, at);
    const value = pair.slice(at + 1);
    const type = (SUPPORTED_CLAIMS as Record<string, string>)[name];
    if (type === 'boolean' && value !== 'true' && value !== 'false') throw new CliError(`--claim ${name} takes true or false`);
    claims[name] = type === 'boolean' ? value === 'true' : value;
  }
  return claims;
}
