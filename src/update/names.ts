/**
 * Which names a request updates. The main list comes from the first source
 * that applies: `hostname` (unless empty or `YES`), `host_id`, the Basic
 * user, the `username` query value, else the token's only domain. Keys
 * `myipv4:<names>` and `myipv6:<names>` add names for one family. Every
 * name must lie in one domain the token may update.
 */
import type { Account, Domain } from '../auth/directory.js';
import { canonicalName, isAtOrBelow, isValidName } from '../zone/names.js';
import type { ZoneSet } from '../zone/zones.js';
import type { Query } from './query.js';
import { quote } from './quote.js';

/** An address family: 4 for A records, 6 for AAAA. */
export type Family = 4 | 6;

/** One `myipv4:<names>` or `myipv6:<names>` key with its value. */
export interface Override {
  key: string;
  family: Family;
  names: string[];
  value: string;
}

/** The names of a request, all in one domain. */
export interface RequestNames {
  /** The main list: these get both families and one `good` line each. */
  main: string[];
  overrides: Override[];
  /** The one domain every name lies in; the per-domain limit counts it. */
  domain: string;
}

/** The names of a request, or the answer that refuses them. */
export type Names =
  | ({ ok: true } & RequestNames)
  | { ok: false; answer: 'nohost' | 'several-domains' | 'unnamed-domain'; reason: string };

/** What the name rules need to know about the request and its token. */
export interface NameContext {
  query: Query;
  account: Account;
  /** The Basic user, when the Basic header authenticated the request. */
  basicUser: string | undefined;
  /** The domains the token may update. */
  domains: readonly Domain[];
  zones: ZoneSet;
}

/** Reads, checks and resolves every name of a request. */
export function resolveNames(ctx: NameContext): Names {
  const source = mainSource(ctx);
  const main = source === undefined ? undefined : splitNames(source);
  const overrides = readOverrides(ctx.query);
  const named = [...(main ?? []), ...overrides.flatMap((o) => o.names)];

  const owners = new Set<string>();
  for (const name of named) {
    const owner = ownerOf(name, ctx);
    if (!owner.ok) return refuse('nohost', owner.reason);

    owners.add(owner.domain);
  }
  if (main === undefined && ctx.domains.length === 0) return refuse('nohost', 'token has no domain');
  if (owners.size > 1) return refuse('several-domains', `names under ${[...owners].join(', ')}`);
  if (main === undefined && ctx.domains.length > 1) return refuse('unnamed-domain', 'several domains');

  const domain = [...owners][0] ?? (ctx.domains[0] as Domain).name;
  return { ok: true, main: main ?? [domain], overrides, domain };
}

/** The first source of names that applies, or undefined for the sole-domain rule. */
function mainSource({ query, account, basicUser }: NameContext): string | undefined {
  const hostname = query.get('hostname');
  if (hostname !== undefined && hostname !== '' && hostname !== 'YES') return hostname;
  const hostId = query.get('host_id');
  if (hostId !== undefined && hostId !== '') return hostId;

  const asName = (user: string | undefined) =>
    user !== undefined && user !== '' && !user.includes('@') && canonicalName(user) !== account.name;
  if (asName(basicUser)) return basicUser;
  const username = query.get('username');
  return asName(username) ? username : undefined;
}

/** A comma list: each item lower-cased, trimmed, one trailing dot off, repeats dropped. */
export function splitNames(value: string): string[] {
  return [...new Set(value.split(',').map((item) => canonicalName(item.trim())))];
}

/** Every `myipv4:`/`myipv6:` key in query order; later keys win per name. */
export function readOverrides(query: Query): Override[] {
  const out: Override[] = [];
  for (const [key, value] of query.pairs) {
    const colon = key.indexOf(':');
    const prefix = colon < 0 ? '' : key.slice(0, colon);
    if (prefix !== 'myipv4' && prefix !== 'myipv6') continue;

    out.push({ key, family: prefix === 'myipv4' ? 4 : 6, names: splitNames(key.slice(colon + 1)), value });
  }
  return out;
}

/** The domain a name lies in, or why the token may not update it. */
type Owner = { ok: true; domain: string } | { ok: false; reason: string };

/** The domain a name belongs to, if the token may update it. */
function ownerOf(name: string, ctx: NameContext): Owner {
  if (name === '') return { ok: false, reason: 'empty name' };
  if (!isValidName(name, true)) return { ok: false, reason: `invalid name ${quote(name)}` };

  const domain = ctx.domains.find((d) => isAtOrBelow(name, d.name));
  if (!domain) return { ok: false, reason: `${name} is not in a domain of this token` };
  if (!ctx.zones.find(name)) return { ok: false, reason: `${name} is outside every served zone` };

  return { ok: true, domain: domain.name };
}

function refuse(answer: Extract<Names, { ok: false }>['answer'], reason: string): Names {
  return { ok: false, answer, reason };
}
