#!/usr/bin/env node
/**
 * The command line: `dynzone serve` and the management commands. The only
 * module that writes to the terminal and exits the process. Management
 * commands go to a running server through its control socket; when none
 * runs, they open the data folder themselves.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';

import { startApp } from './app.js';
import { HELP, SPECS, type CommandSpec } from './cli-help.js';
import { loadConfig, type Config } from './config.js';
import { controlRequest } from './control.js';
import { DynzoneError, UsageError } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { runCommand, type Args } from './manage.js';
import { State } from './state.js';
import { FileStore } from './store/file-store.js';
import { lockHolder } from './store/lock.js';

/** Exit status for bad usage or configuration. */
const EXIT_USAGE = 2;

/** Error codes that mean the input was wrong, not that the command failed. */
const USAGE_CODES = new Set(['DDNS_ERR_USAGE', 'DDNS_ERR_CONFIG_INVALID', 'DDNS_ERR_RECORD_SYNTAX']);

type Values = Record<string, string | boolean | undefined>;

/** What a failed bind means, in words. */
const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: 'the address is already in use',
  EACCES: 'permission denied (ports below 1024 need CAP_NET_BIND_SERVICE; see the README)',
  EADDRNOTAVAIL: 'no such address on this machine',
  ENOTFOUND: 'no such host name; use an IP address',
  EAI_AGAIN: 'the host name could not be looked up; use an IP address',
};

function fail(message: string, status = 1): never {
  process.stderr.write(`dynzone: ${message}\n`);
  process.exit(status);
}

function version(): string {
  const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

/** Takes `--config FILE` (or `--config=FILE`) from anywhere in the arguments. */
function takeConfig(argv: string[]): { file: string | undefined; rest: string[] } {
  const rest = [...argv];
  const i = rest.findIndex((a) => a === '--config' || a.startsWith('--config='));
  if (i < 0) return { file: undefined, rest };

  const [flag] = rest.splice(i, 1) as [string];
  if (flag.startsWith('--config=')) return { file: flag.slice('--config='.length), rest };
  const file = rest.splice(i, 1)[0];
  if (file === undefined || file.startsWith('-')) throw new UsageError('--config needs a file name');
  return { file, rest };
}

/** The command named by the first one or two words, or undefined. */
function commandOf(argv: string[]): { name: string; spec: CommandSpec } | undefined {
  const two = `${argv[0]} ${argv[1]}`;
  if (SPECS[two]) return { name: two, spec: SPECS[two] };
  const one = argv[0] ?? '';
  return SPECS[one] ? { name: one, spec: SPECS[one] } : undefined;
}

/** Help for a group such as `dynzone account --help`. */
function groupHelp(group: string): string | undefined {
  const lines = HELP.split('\n').filter((line) => line.startsWith(`  ${group} `));
  return lines.length > 0 ? `Usage: dynzone ${group} COMMAND [options]\n\nCommands:\n${lines.join('\n')}` : undefined;
}

function parse(name: string, spec: CommandSpec, argv: string[]): { values: Values; positionals: string[] } {
  const options: ParseArgsConfig['options'] = { help: { type: 'boolean', short: 'h' } };
  for (const [option, type] of Object.entries(spec.options ?? {})) options[option] = { type };
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (err) {
    const option = /option '([^']+)'/.exec((err as Error).message)?.[1];
    const what = option ? `unknown option ${option}` : (err as Error).message;
    throw new UsageError(`${what}\nTry: dynzone ${name} --help`);
  }
  if (parsed.values.help) {
    process.stdout.write(spec.help + '\n');
    process.exit(0);
  }
  const want = spec.positionals.length;
  if (parsed.positionals.length !== want) {
    const expected = want === 0 ? 'no arguments' : spec.positionals.map((p) => p.toUpperCase()).join(' ');
    throw new UsageError(`expected ${expected}, got ${parsed.positionals.length} argument(s)\n\n${spec.help}`);
  }
  return parsed;
}

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8').trim();
  } catch {
    throw new UsageError('could not read the secret from standard input');
  }
}

function readZoneFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (text.trim() === '') throw new UsageError(`${file} is empty: nothing to import`);
  return text;
}

/** Maps parsed options and positionals to the arguments of a command. */
function argsOf(spec: CommandSpec, values: Values, positionals: string[]): Args {
  const args: Args = {};
  spec.positionals.forEach((name, i) => (args[name] = positionals[i]));
  for (const [option, key] of Object.entries(spec.rename ?? {})) {
    const value = values[option];
    if (typeof value === 'string') args[key] = value;
  }
  if (values['secret-stdin'] === true) args.secret = readStdin();
  if (spec.readFile) {
    args.text = readZoneFile(args.file as string);
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

function onSignals(logger: Logger, config: Config, app: Awaited<ReturnType<typeof startApp>>): void {
  const stop = (signal: string): void => {
    logger.info({ signal }, 'stopping');
    app.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.on('SIGHUP', () => {
    if (!config.https) return logger.info('SIGHUP: no HTTPS configured, nothing to reload');
    void app.reload().then((ok) => ok && logger.info('HTTPS certificate reloaded'));
  });
}

async function serve(config: Config): Promise<void> {
  const logger = createLogger(config.log.level);
  logger.info({ config: config.file ?? '(built-in default)', dataDir: config.dataDir, zones: config.zones.map((z) => z.name), version: version() }, 'starting');
  try {
    onSignals(logger, config, await startApp(config, logger));
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string };
    const why = LISTEN_ERRORS[e.code ?? ''];
    if (!why) throw err;
    const where = e.hostname ?? (e.address !== undefined ? `${e.address}:${e.port}` : 'a configured address');
    throw new DynzoneError('DDNS_ERR_LISTEN', `cannot listen on ${where}: ${why}`);
  }
}

async function main(argv: string[]): Promise<void> {
  const { file, rest } = takeConfig(argv);
  const first = rest[0];
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    process.stdout.write(HELP + '\n');
    return;
  }
  if (first === '--version' || first === '-v' || first === 'version') {
    process.stdout.write(version() + '\n');
    return;
  }
  const command = commandOf(rest);
  if (!command) {
    const group = groupHelp(first);
    if (group && (rest[1] === undefined || rest[1] === '--help' || rest[1] === '-h')) {
      process.stdout.write(group + '\n');
      process.exit(rest[1] === undefined ? EXIT_USAGE : 0);
    }
    const what = group ? `unknown command "${first} ${rest[1]}"` : `unknown command "${first}"`;
    throw new UsageError(`${what}\nTry: dynzone --help`);
  }
  const { values, positionals } = parse(command.name, command.spec, rest.slice(command.name.split(' ').length));
  const config = loadConfig(file);
  if (command.name === 'serve') return serve(config);

  print(command.name, await manage(config, command.name, argsOf(command.spec, values, positionals)));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof DynzoneError) fail(err.message, USAGE_CODES.has(err.code) ? EXIT_USAGE : 1);
  fail(`unexpected error: ${(err as Error).stack ?? String(err)}`);
});
