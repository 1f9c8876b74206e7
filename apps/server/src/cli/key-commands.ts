import { Option, type Command } from 'commander';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../keys/key-algorithms.js';
import { activateServerKey, generateServerKey, importServerKey, listServerKeys, retireExpiredKeys, retireServerKey, type ServerKeyInfo } from '../keys/server-keys.js';
import { formatDate, printJson, printTable, readTextFile, withDatabase, withMasterKey, type CliContext } from './cli-support.js';

// A running server caches its keys for up to 30 s (Keyring), so it notices an activation within that time.
const ACTIVATION_NOTE = 'running servers switch to it within 30 s';

async function addedKey(cli: CliContext, key: ServerKeyInfo, activate: boolean | undefined, how: string): Promise<void> {
  await cli.audit(how === 'generated' ? 'generateServerKey' : 'importServerKey', key.kid, { after: { algorithm: key.algorithm, state: key.state } });
  if (!activate) {
    console.log(`${how} ${key.algorithm} key ${key.kid} (pending: published, not signing; activate it with: keys activate ${key.kid})`);
    return;
  }
  await activateServerKey(cli.db.orm.em.fork(), key.kid);
  await cli.audit('activateServerKey', key.kid);
  console.log(`${how} ${key.algorithm} key ${key.kid} and made it the active signing key; ${ACTIVATION_NOTE}`);
}

/** `keys …`: the server's own signing keys (JWKS at /.well-known/jwks.json). */
export function addKeyCommands(program: Command): void {
  const keys = program.command('keys').description("the server's signing keys: pending → active → retiring (still published) → retired");

  keys
    .command('generate')
    .description('generate a signing key (RS256 keys are RSA-3072), pending unless --activate')
    .addOption(new Option('--alg <alg>', 'algorithm').choices(SIGNING_ALGORITHMS).default('EdDSA'))
    .option('--activate', 'make it the active signing key at once')
    .action((options: { alg: SigningAlgorithm; activate?: boolean }) =>
      withMasterKey(async (cli) => addedKey(cli, await generateServerKey(cli.db.orm.em.fork(), cli.masterKey, options.alg), options.activate, 'generated')),
    );

  keys
    .command('import')
    .description('import a private signing key (Ed25519, EC P-256 or RSA ≥ 2048), pending unless --activate')
    .argument('<file>', 'PKCS#8 PEM (-----BEGIN PRIVATE KEY-----) or private JWK')
    .option('--activate', 'make it the active signing key at once')
    .action((file: string, options: { activate?: boolean }) =>
      withMasterKey(async (cli) => {
        const text = await readTextFile(file);
        await addedKey(cli, await importServerKey(cli.db.orm.em.fork(), cli.masterKey, text), options.activate, 'imported');
      }),
    );

  keys
    .command('activate')
    .description('make a pending or retiring key the signing key; the current one becomes retiring')
    .argument('<kid>')
    .action((kid: string) =>
      withDatabase(async ({ db, audit }) => {
        await activateServerKey(db.orm.em.fork(), kid);
        await audit('activateServerKey', kid);
        console.log(`${kid} is the active signing key; ${ACTIVATION_NOTE}`);
      }),
    );

  keys
    .command('retire')
    .description('stop publishing a pending or retiring key (the active key cannot be retired)')
    .argument('<kid>')
    .action((kid: string) =>
      withDatabase(async ({ db, audit }) => {
        await retireServerKey(db.orm.em.fork(), kid);
        await audit('retireServerKey', kid);
        console.log(`${kid} is retired`);
      }),
    );

  keys
    .command('list')
    .description('list server keys (retiring keys past KEY_OVERLAP_SECONDS are retired first)')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) =>
      withDatabase(async ({ config, db }) => {
        const em = db.orm.em.fork();
        const retired = await retireExpiredKeys(em, config.keyOverlapSeconds);
        if (retired.length) console.error(`retired after the overlap period: ${retired.join(', ')}`);
        const all = await listServerKeys(em);
        if (options.json) return printJson(all);
        printTable(
          ['KID', 'ALG', 'STATE', 'CREATED', 'ACTIVATED', 'RETIRING', 'RETIRED'],
          all.map((k) => [k.kid, k.algorithm, k.state, formatDate(k.createdAt), formatDate(k.activatedAt), formatDate(k.retiringAt), formatDate(k.retiredAt)]),
        );
      }),
    );
}
