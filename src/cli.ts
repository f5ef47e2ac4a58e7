#!/usr/bin/env node
/**
 * The command line: `dynzone serve` and the management commands. The only
 * module that writes to the terminal and exits the process. Management
 * commands go to a running server through its control socket; when none
 * runs, they open the data folder themselves.
 */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';

import { startApp, type App } from './app.js';
import { loadConfig, type Config } from './config.js';
import { controlRequest } from './control.js';
import { ConfigError, DynzoneError, UsageError } from './errors.js';
import { createLogger } from './log.js';
import { runCommand, type Args } from './manage.js';
import { State } from './state.js';
import { FileStore } from './store/file-store.js';
import { lockHolder } from './store/lock.js';
import { HELP, type CommandSpec, SPECS } from './cli-help.js';

/** Exit status for bad usage or configuration. */
const EXIT_USAGE = 2;

function fail(message: string, status = 1): never {
  process.stderr.write(`dynzone: ${message}\n`);
  process.exit(status);
}

function parse(spec: CommandSpec, argv: string[]): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const options: ParseArgsConfig['options'] = { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } };
  for (const [name, type] of Object.entries(spec.options ?? {})) options[name] = { type };
  const parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  if (parsed.values.help) {
    process.stdout.write(spec.help + '\n');
    process.exit(0);
  }
  if (parsed.positionals.length !== spec.positionals.length) {
    throw new UsageError(`expected ${spec.positionals.length ? spec.positionals.join(' ') : 'no arguments'}\n\n${spec.help}`);
  }
  return parsed as { values: Record<string, string | boolean | undefined>; positionals: string[] };
}

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8').trim();
  } catch {
    throw new UsageError('could not read the secret from standard input');
  }
}

/** Maps parsed options and positionals to the arguments of a command. */
function argsOf(spec: CommandSpec, values: Record<string, string | boolean | undefined>, positionals: string[]): Args {
  const args: Args = {};
  spec.positionals.forEach((name, i) => (args[name] = positionals[i]));
  for (const [option, key] of Object.entries(spec.rename ?? {})) {
    const value = values[option];
    if (typeof value === 'string') args[key] = value;
  }
  if (values['secret-stdin'] === true) args.secret = readStdin();
  if (spec.readFile) {
    const file = args.file as string;
    try {
      args.text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    delete args.file;
  }
  return args;
}

/** Runs a management command in the server if one runs, else on the files. */
async function manage(config: Config, name: string, args: Args): Promise<unknown> {
  if ((await lockHolder(config.dataDir)) !== null) {
    const response = await controlRequest(config.dataDir, name, args).catch((err: NodeJS.ErrnoException) => {
      throw new DynzoneError('DDNS_ERR_CONTROL', `a server holds ${config.dataDir} but its control socket does not answer (${err.code ?? err.message})`);
    });
    if (!response.ok) throw new DynzoneError(response.code, response.message);
    return response.result;
  }
  let state: State | undefined;
  const store = new FileStore({ dir: config.dataDir, snapshot: () => (state as State).snapshot() });
  state = await State.open(config.zones, store, createLogger('warn', process.stderr as never));
  try {
    return await runCommand(state, name, args);
  } finally {
    await state.close();
  }
}

function print(name: string, result: unknown): void {
  const out = SPECS[name]?.print?.(result) ?? JSON.stringify(result, null, 2);
  process.stdout.write(out.endsWith('\n') ? out : out + '\n');
}

async function serve(config: Config): Promise<void> {
  const logger = createLogger(config.log.level);
  const app: App = await startApp(config, logger);
  const stop = (signal: string): void => {
    logger.info({ signal }, 'stopping');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.on('SIGHUP', () => {
    void app.reload().then((ok) => logger.info({ ok }, 'certificates reloaded'));
  });
}

async function main(argv: string[]): Promise<void> {
  const [first, second] = argv;
  const name = SPECS[`${first} ${second}`] ? `${first} ${second}` : (first ?? '');
  const spec = SPECS[name];
  if (!spec) {
    process.stdout.write(HELP + '\n');
    process.exit(first === undefined || first === '--help' || first === '-h' ? 0 : EXIT_USAGE);
  }
  const { values, positionals } = parse(spec, argv.slice(name.split(' ').length));
  const config = loadConfig(values.config as string | undefined);
  if (name === 'serve') return serve(config);

  print(name, await manage(config, name, argsOf(spec, values, positionals)));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof UsageError) fail(err.message, EXIT_USAGE);
  if ((err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
    fail(`${(err as Error).message}\nTry: dynzone --help`, EXIT_USAGE);
  }
  if (err instanceof DynzoneError) fail(err.message);
  fail(`unexpected error: ${(err as Error).stack ?? String(err)}`);
});
