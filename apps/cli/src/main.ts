// The bazaar command line: bring the platform up, check its invariants, generate load.
import { enableCompileCache } from 'node:module';
import { parseArgs } from 'node:util';
import { showsStacks } from './config.ts';
import { UsageError } from './usage-error.ts';

// Node keeps the code it compiles for each module on disk (in the OS temp directory), so a later start skips
// parsing and type-stripping the sources. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
enableCompileCache();

const usage = `bazaar: the Bazaar e-commerce platform

Usage:
  bazaar up [--cluster] [--verbose]   start the gateway and every service (embedded mode by default)
  bazaar verify [--url URL]           check stock, money and shipment invariants across the services
  bazaar service <name>               run one service as its own process (cluster mode, containers)
  bazaar migrate <name|all>           apply a service's database migrations and exit
  bazaar reset [--cluster] --yes      delete the data (embedded) or the namespace (cluster), to start afresh
  bazaar load [--url URL] [--rate N]  drive a deployment with a realistic shop mix (load --help)
  bazaar version                      the release, the commit and the Node it runs on (also --version)
  bazaar help [command]               this text, or a command's own (as "bazaar <command> --help")

Embedded mode (the default) runs everything in one process on PGlite under ./data with an in-process
broker: no Docker, no database server, no broker needed. Cluster mode runs each service as its own
process on PostgreSQL (DATABASE_URL) and RabbitMQ or NATS (BROKER_URL).

Run "bazaar up --help" to see every setting.`;

const versionHelp = `bazaar version: print the release (package.json), the commit when run from a git checkout, and the Node it
runs on, in one line

Usage: bazaar version (or bazaar --version, bazaar -V)`;

const COMMANDS = ['up', 'verify', 'service', 'migrate', 'reset', 'load', 'version', 'help'];

const [command = 'help', ...rest] = process.argv.slice(2);

try {
  await run(command, rest);
} catch (err) {
  process.exitCode = reportFailure(command, err);
  // A service that failed to start may still hold a broker connection or a pool: it must end, for its supervisor to see.
  if (command === 'service') process.exit();
}

async function run(command: string, args: string[]): Promise<void> {
  const wantsHelp = args.includes('--help') || args.includes('-h');
  switch (command) {
    case 'up': {
      const { values } = parseArgs({
        args,
        options: {
          cluster: { type: 'boolean' },
          verbose: { type: 'boolean', short: 'v' },
          help: { type: 'boolean', short: 'h' },
        },
      });
      const { up, upHelp } = await import('./up.ts');
      if (values.help) console.log(upHelp());
      else await up({ cluster: values.cluster ?? false, verbose: values.verbose ?? false });
      break;
    }
    case 'verify': {
      const { values } = parseArgs({
        args,
        options: { url: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      });
      const { verify, verifyHelp } = await import('./verify.ts');
      const { targetUrl } = await import('./target-url.ts');
      if (values.help) console.log(verifyHelp);
      else process.exitCode = (await verify({ url: targetUrl(values.url) })) ? 0 : 1;
      break;
    }
    case 'service': {
      const { runService, serviceHelp } = await import('./service.ts');
      if (wantsHelp) console.log(serviceHelp);
      else await runService(nameArg(args));
      break;
    }
    case 'migrate': {
      const { runMigrations, migrateHelp } = await import('./migrate.ts');
      if (wantsHelp) console.log(migrateHelp);
      else await runMigrations(nameArg(args));
      break;
    }
    case 'reset': {
      const { values } = parseArgs({
        args,
        options: {
          cluster: { type: 'boolean' },
          yes: { type: 'boolean', short: 'y' },
          help: { type: 'boolean', short: 'h' },
        },
      });
      const { reset, resetHelp } = await import('./reset.ts');
      if (values.help) console.log(resetHelp);
      else await reset({ cluster: values.cluster ?? false, yes: values.yes ?? false });
      break;
    }
    case 'load': {
      const { loadCommand } = await import('./load/index.ts');
      process.exitCode = await loadCommand(args);
      break;
    }
    case 'version':
    case '--version':
    case '-V': {
      if (wantsHelp) {
        console.log(versionHelp);
        break;
      }
      parseArgs({ args, options: {} });
      const { versionLine } = await import('./version.ts');
      console.log(versionLine());
      break;
    }
    case 'help':
    case '--help':
    case '-h': {
      const [topic] = args.filter((a) => a !== '--help' && a !== '-h');
      if (topic === undefined || topic === 'help') console.log(usage);
      else if (COMMANDS.includes(topic)) await run(topic, ['--help']);
      else throw new UsageError(`no command "${topic}"; the commands are ${COMMANDS.join(', ')}`);
      break;
    }
    default: {
      // An option before any command (`bazaar --verbose up`) is not a command: say which it is, and what comes first.
      const what = command.startsWith('-')
        ? `unknown option "${command}": the command comes first, as in "bazaar up --verbose"`
        : `unknown command "${command}"`;
      console.error(`bazaar: ${what}; the commands are ${COMMANDS.join(', ')}\nRun "bazaar --help" for the usage.`);
      process.exitCode = 2;
    }
  }
}

/** nameArg: the one name `service` and `migrate` take; an option or a second name is refused, not ignored. */
function nameArg(args: string[]): string | undefined {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
  if (positionals.length > 1)
    throw new UsageError(`one name, not ${positionals.map((name) => `"${name}"`).join(' and ')}`);
  return positionals[0];
}

/**
 * A failed command says what went wrong in a line, not a stack trace (LOG_LEVEL=debug shows it): 2 for a command
 * line it cannot read, 1 for anything else.
 */
function reportFailure(name: string, err: unknown): number {
  const code = (err as { code?: string }).code ?? '';
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof UsageError || code.startsWith('ERR_PARSE_ARGS')) {
    console.error(`bazaar ${name}: ${message}\nRun "bazaar ${name} --help" for its usage.`);
    return 2;
  }
  const cause = (err as { cause?: { code?: string; address?: string; port?: number } }).cause;
  const refused = [code, cause?.code].includes('ECONNREFUSED');
  console.error(
    `bazaar ${name}: ${message}${cause?.code && !message.includes(cause.code) ? ` (${cause.code})` : ''}` +
      (refused
        ? `\nNothing answered there: is it running, and does ${['verify', 'load'].includes(name) ? '--url (or PORT)' : 'DATABASE_URL or BROKER_URL'} point at it?`
        : ''),
  );
  if (showsStacks()) console.error(err);
  return 1;
}
