/**
 * The management commands: accounts, domains, tokens and zone files. Each
 * takes the live state and plain arguments and returns a plain result, so
 * the same code runs inside a serving process (through the control socket)
 * and in the command line when no server runs.
 */
import { generateSecret, generateTokenId, digestSecret, IMPORTED_SECRET } from './auth/secrets.js';
import type { Token } from './auth/directory.js';
import { ConflictError, NotFoundError, UsageError } from './errors.js';
import { combine, type Change, type State } from './state.js';
import { canonicalName, isAtOrBelow } from './zone/names.js';
import { RRType, typeCode, typeName } from './zone/records.js';
import { formatZone, parseZoneFile } from './zone/zonefile.js';
import type { RRsetChange } from './zone/zones.js';

/** Arguments of every command, as the command line parsed them. */
export type Args = Record<string, string | undefined>;

/** A management command: runs against the state, returns JSON-able data. */
type Command = (state: State, args: Args) => Promise<unknown>;

function required(args: Args, key: string): string {
  const value = args[key];
  if (value === undefined || value === '') throw new UsageError(`missing ${key}`);
  return value;
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

async function addAccount(state: State, args: Args): Promise<unknown> {
  const name = required(args, 'name').toLowerCase();
  await state.commit(state.directory.addAccount(name, args.email));
  return { account: name };
}

async function addDomain(state: State, args: Args): Promise<unknown> {
  const name = canonicalName(required(args, 'name'));
  const account = required(args, 'account').toLowerCase();
  const inZone = (n: string): boolean => state.zones.find(n) !== undefined;
  const fixed = state.zones.configuredAddressOwners(name);
  if (fixed.length > 0) {
    throw new ConflictError(`"${name}" would let updates change ${fixed.join(', ')}, whose addresses come from the configuration`);
  }
  await state.commit(state.directory.addDomain(name, account, inZone));
  return { domain: name, account };
}

/** Removes a domain and the address records stored at and below it. */
async function removeDomain(state: State, args: Args): Promise<unknown> {
  const name = canonicalName(required(args, 'name'));
  const owned = state.directory.removeDomain(name);
  const zone = state.zones.find(name);
  const changes: RRsetChange[] = [];
  for (const [owner, node] of zone?.entries() ?? []) {
    if (!isAtOrBelow(owner, name)) continue;
    for (const type of [RRType.A, RRType.AAAA]) if (node.has(type)) changes.push({ name: owner, type, ttl: 0, rdata: [] });
  }
  let records: Change = { ops: [], undo: () => undefined };
  try {
    records = state.zones.apply(changes);
  } catch (err) {
    owned.undo();
    throw err;
  }
  await state.commit(combine(owned, records));
  return { removed: name, records: changes.length };
}

function parseExpiry(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const when = Date.parse(text);
  const day = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  const real = day !== null && new Date(Date.UTC(+day[1]!, +day[2]! - 1, +day[3]!)).toISOString().startsWith(day[0]);
  if (!real || Number.isNaN(when)) throw new UsageError(`--expires "${text}" is not an ISO-8601 date`);
  if (when <= Date.now()) throw new UsageError(`--expires "${text}" is in the past: the token would never work`);
  return new Date(when).toISOString();
}

async function createToken(state: State, args: Args): Promise<unknown> {
  const account = required(args, 'account').toLowerCase();
  if (args.secret !== undefined && !IMPORTED_SECRET.test(args.secret)) {
    throw new UsageError('an imported secret must be 20 to 128 characters of letters, digits, "-", "_" and "."');
  }
  const secret = args.secret ?? generateSecret();
  const domains = list(args.domains)?.map(canonicalName);
  const subnets = list(args.subnets);
  const expires = parseExpiry(args.expires);
  const token: Token = {
    id: generateTokenId(),
    account,
    digest: digestSecret(secret),
    created: new Date().toISOString(),
    ...(args.tokenName ? { name: args.tokenName } : {}),
    ...(expires ? { expires } : {}),
    ...(subnets ? { subnets } : {}),
    ...(domains ? { domains } : {}),
  };
  await state.commit(state.directory.addToken(token));
  return { id: token.id, secret };
}

async function revokeToken(state: State, args: Args): Promise<unknown> {
  const id = required(args, 'id');
  await state.commit(state.directory.revokeToken(id));
  return { revoked: id };
}

function zoneOf(state: State, args: Args) {
  const apex = canonicalName(required(args, 'zone'));
  const zone = state.zones.get(apex);
  if (!zone) throw new NotFoundError(`no zone "${apex}" is configured`);
  return zone;
}

async function exportZone(state: State, args: Args): Promise<unknown> {
  return { text: formatZone(zoneOf(state, args)) };
}

/**
 * Adds the records of a zone file. SOA and apex NS come from the
 * configuration and are skipped. Any bad line aborts the whole import.
 */
async function importZone(state: State, args: Args): Promise<unknown> {
  const zone = zoneOf(state, args);
  const results = parseZoneFile(required(args, 'text'), zone.apex, zone.soa.ttl);
  const problems = results.flatMap((r) => ('error' in r ? [`line ${r.line}: ${r.error}`] : []));
  const merged = new Map<string, RRsetChange>();
  let skipped = 0;
  for (const r of results) {
    if (!('record' in r)) continue;
    const { name, type, ttl, rdata } = r.record;
    if (!zone.contains(name)) problems.push(`line ${r.line}: ${name} is outside the zone ${zone.apex}`);
    if (type === RRType.SOA || (type === RRType.NS && name === zone.apex)) {
      skipped++;
      continue;
    }
    const key = `${name} ${type}`;
    const entry = merged.get(key) ?? { name, type, ttl, rdata: [...(zone.get(name, type)?.rdata ?? [])] };
    entry.rdata.push(rdata.text);
    merged.set(key, entry);
  }
  if (problems.length > 0) throw new UsageError(`nothing imported; the file has problems:\n  ${problems.join('\n  ')}`);

  await state.commit(state.zones.apply([...merged.values()]));
  return { rrsets: merged.size, skipped };
}

/** Deletes one stored RRset (an imported record, say); configured ones stay. */
async function removeRecord(state: State, args: Args): Promise<unknown> {
  const name = canonicalName(required(args, 'name'));
  const type = typeCode(required(args, 'type'));
  if (type === undefined) throw new UsageError(`unknown record type "${args.type}"`);
  const zone = state.zones.find(name);
  if (!zone?.get(name, type)) throw new NotFoundError(`no ${typeName(type)} records at ${name}`);
  if (!state.zones.isStored(name, type)) {
    throw new UsageError(`the ${typeName(type)} records at ${name} come from the configuration; edit the configuration file instead`);
  }

  await state.commit(state.zones.apply([{ name, type, ttl: 0, rdata: [] }]));
  return { name, type: typeName(type) };
}

async function listAccounts(state: State): Promise<unknown> {
  return state.directory.accounts();
}

async function listDomains(state: State): Promise<unknown> {
  return state.directory.domains();
}

/** Tokens without their digests: an id is enough to revoke one. */
async function listTokens(state: State): Promise<unknown> {
  return state.directory.tokens().map(({ digest: _, ...rest }) => rest);
}

/** Every command by its name on the command line. */
export const COMMANDS: Record<string, Command> = {
  'account add': addAccount,
  'account list': listAccounts,
  'domain add': addDomain,
  'domain list': listDomains,
  'domain remove': removeDomain,
  'token create': createToken,
  'token list': listTokens,
  'token revoke': revokeToken,
  'zone export': exportZone,
  'zone import': importZone,
  'record remove': removeRecord,
};

/** Runs one command by name. */
export async function runCommand(state: State, name: string, args: Args): Promise<unknown> {
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) throw new UsageError(`unknown command "${name}"`);
  const bad = Object.entries(args).find(([, value]) => value !== undefined && typeof value !== 'string');
  if (bad) throw new UsageError(`argument ${bad[0]} must be a string`);
  return command(state, args);
}

