/**
 * An update endpoint on loopback for tests: a State in memory (zones
 * around the given domains, one account, its domains and tokens), an
 * UpdateServer on 127.0.0.1:0 and [::1]:0 and, when asked, the DNS server
 * on 127.0.0.1:0 answering from the same zones; all closed in teardown.
 */
import ipaddr from 'ipaddr.js';

import { buildConfig, type Config } from '../../src/config.js';
import { digestSecret, generateTokenId } from '../../src/auth/secrets.js';
import type { Token } from '../../src/auth/directory.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { State } from '../../src/state.js';
import { UpdateServer, type ServerLimits } from '../../src/update/index.js';
import { RRType } from '../../src/zone/records.js';
import { buildQuery, decode, startServer, udpExchange } from './dns-client.js';
import { MemoryStore } from './memory-store.js';

/** The account every fixture creates. */
export const ACCOUNT = { name: 'alice', email: 'alice@example.com' };

/** A token to create: its secret plus optional limits. */
export type TokenSpec = string | ({ secret: string } & Partial<Pick<Token, 'expires' | 'subnets' | 'domains'>>);

/** A record set to create before the test: name, type and addresses. */
export interface RRsetSpec {
  name: string;
  type: 'A' | 'AAAA' | 'CNAME' | 'TXT';
  records: string[];
  ttl?: number;
}

/** What a fixture is built from. */
export interface FixtureOptions {
  domains: string[];
  tokens: TokenSpec[];
  rrsets?: RRsetSpec[];
  /** Raw `update` section of the configuration, merged over the defaults. */
  update?: Record<string, unknown>;
  https?: { cert: string; key: string };
  logger?: Logger;
  limits?: Partial<ServerLimits>;
  now?: () => number;
  /** Domains of a second account, to test names the first may not update. */
  otherDomains?: string[];
  /** Also start the DNS server on the same zones. */
  dns?: boolean;
  /** HTTP listen addresses; default 127.0.0.1:0 and [::1]:0. */
  httpListen?: string[];
  /** The store behind the state; default a fresh MemoryStore. */
  store?: MemoryStore;
}

/** A running endpoint and its state. */
export interface Fixture {
  config: Config;
  state: State;
  store: MemoryStore;
  server: UpdateServer;
  /** Token ids, in the order of `tokens`. */
  tokenIds: string[];
  http4: { host: string; port: number };
  http6: { host: string; port: number };
  https4?: { host: string; port: number };
  /** UDP and TCP port of the DNS server on 127.0.0.1, when started. */
  dnsPort?: number;
}

/** The zone around a domain: its last two labels. */
export function zoneOf(domain: string): string {
  return domain.split('.').slice(-2).join('.');
}

/** The configuration of a fixture, listening on port 0. */
export function fixtureConfig(options: Pick<FixtureOptions, 'domains' | 'update' | 'https' | 'otherDomains' | 'httpListen'>): Config {
  const zones = [...new Set([...options.domains, ...(options.otherDomains ?? [])].map(zoneOf))];
  return buildConfig(
    {
      dns: { listen: [] },
      http: { listen: options.httpListen ?? ['127.0.0.1:0', '[::1]:0'] },
      ...(options.https ? { https: { listen: ['127.0.0.1:0', '[::1]:0'], ...options.https } } : {}),
      zones: zones.map((name) => ({ name, soa: { mname: `ns1.${name}`, rname: `hostmaster.${name}` }, ns: [`ns1.${name}`] })),
      update: options.update ?? {},
    },
    null,
  );
}

/** Builds the state: zones, the account, its domains, tokens and records. */
export async function fixtureState(config: Config, options: FixtureOptions, store = new MemoryStore()): Promise<{ state: State; tokenIds: string[] }> {
  const state = await State.open(config.zones, store, options.logger ?? silentLogger());
  const dir = state.directory;
  const inZone = (name: string) => state.zones.find(name) !== undefined;
  const changes = [dir.addAccount(ACCOUNT.name, ACCOUNT.email)];
  for (const domain of options.domains) changes.push(dir.addDomain(domain, ACCOUNT.name, inZone));
  if (options.otherDomains) {
    changes.push(dir.addAccount('bob', undefined));
    for (const domain of options.otherDomains) changes.push(dir.addDomain(domain, 'bob', inZone));
  }
  const tokenIds: string[] = [];
  for (const spec of options.tokens) {
    const { secret, ...limits } = typeof spec === 'string' ? { secret: spec } : spec;
    const id = generateTokenId();
    tokenIds.push(id);
    changes.push(dir.addToken({ id, account: ACCOUNT.name, digest: digestSecret(secret), created: new Date().toISOString(), ...limits }));
  }
  for (const change of changes) await state.commit(change);
  if (options.rrsets?.length) {
    const ttl = config.update.ttl;
    const applied = state.zones.apply(options.rrsets.map((r) => ({ name: r.name, type: RRType[r.type], ttl: r.ttl ?? ttl, rdata: r.records })));
    await state.commit(applied);
  }
  return { state, tokenIds };
}

/** Starts an endpoint; `teardown` closes it. */
export async function startUpdateFixture(teardown: (fn: () => Promise<void>) => void, options: FixtureOptions): Promise<Fixture> {
  const config = fixtureConfig(options);
  const store = options.store ?? new MemoryStore();
  const { state, tokenIds } = await fixtureState(config, options, store);
  const server = new UpdateServer({
    state,
    config,
    logger: options.logger ?? silentLogger(),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  teardown(() => server.close());
  await server.start();
  const dns = options.dns ? await startServer(state.zones) : undefined;
  if (dns) teardown(() => dns.server.close());
  const { http, https } = server.addresses();
  const at = (a: { address: string; port: number } | undefined) => ({ host: a?.address ?? '', port: a?.port ?? 0 });
  return {
    config,
    state,
    store,
    server,
    tokenIds,
    http4: at(http[0]),
    http6: at(http[1]),
    ...(https.length > 0 ? { https4: at(https[0]) } : {}),
    ...(dns ? { dnsPort: dns.v4 } : {}),
  };
}

/** The addresses of one family at a name, sorted, as the zone holds them. */
export function recordsAt(state: State, name: string, type: 'A' | 'AAAA'): string[] {
  const zone = state.zones.find(name);
  return [...(zone?.get(name, RRType[type])?.rdata ?? [])].sort();
}

/**
 * The addresses of one family the DNS server on 127.0.0.1:`port` answers
 * for a name, sorted, in RFC 5952 form; [] for NODATA, NXDOMAIN or REFUSED.
 */
export async function servedAt(port: number, name: string, type: 'A' | 'AAAA'): Promise<string[]> {
  const reply = await udpExchange('127.0.0.1', port, buildQuery({ name, type: RRType[type] }));
  if (!reply) throw new Error(`no DNS answer for ${name} ${type}`);

  const packet = decode(reply);
  const records = packet.answers.filter((r) => r.type === RRType[type]) as unknown as { address: string }[];
  return records.map((r) => ipaddr.parse(r.address)).map((a) => (a.kind() === 'ipv6' ? (a as ipaddr.IPv6).toRFC5952String() : a.toString())).sort();
}
