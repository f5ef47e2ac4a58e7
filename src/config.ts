/**
 * The configuration: one JSON file checked once at start against
 * `config.schema.json`. Every problem is reported together with its key
 * path; unknown keys are errors. The result is a frozen object handed to
 * the modules that need it.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import ipaddr from 'ipaddr.js';

import { ConfigError } from './errors.js';
import { canonicalName, isValidName, isAtOrBelow } from './zone/names.js';
import type { SoaFields } from './zone/zone.js';
import { parseRecordLine } from './zone/zonefile.js';
import { RRType } from './zone/records.js';
import { parseSubnet } from './zone/ip.js';
import type { ZoneConfig } from './zone/zones.js';

/** A listening address. */
export interface Listen {
  host: string;
  port: number;
}

/** A sliding-window limit. */
export interface Window {
  requests: number;
  windowSeconds: number;
}

/** The checked configuration, with every default filled in. */
export interface Config {
  /** The file it came from, or null for the built-in default. */
  file: string | null;
  dataDir: string;
  dns: { listen: Listen[] };
  http: { listen: Listen[] };
  https: { listen: Listen[]; cert: string; key: string } | null;
  zones: ZoneConfig[];
  update: {
    ttl: number;
    realm: string;
    rateLimit: { perDomain: Window; failedAuth: Window };
    trustedProxies: [ipaddr.IPv4 | ipaddr.IPv6, number][];
  };
  log: { level: string };
}

/** The built-in default, the same as `config.example.json` shows. */
export const DEFAULTS = {
  dataDir: './data',
  dnsListen: ['127.0.0.1:5300', '[::1]:5300'],
  httpListen: ['127.0.0.1:8053', '[::1]:8053'],
  zone: {
    name: 'dyn.example.net',
    soa: { mname: 'ns1.dyn.example.net', rname: 'hostmaster.example.net' },
    ns: ['ns1.dyn.example.net'],
    records: ['ns1 3600 IN A 127.0.0.1', 'ns1 3600 IN AAAA ::1'],
  },
  soa: { refresh: 3600, retry: 600, expire: 604800, minimum: 60, ttl: 3600 }, // seconds
  updateTtl: 60, // seconds
  realm: 'dynzone',
  perDomain: { requests: 10, windowSeconds: 60 },
  failedAuth: { requests: 20, windowSeconds: 600 },
  logLevel: 'info',
} as const;

/** Where the schema ships: beside `src/` and `dist/`. */
export const SCHEMA_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'config.schema.json');

let validator: ReturnType<Ajv['compile']> | undefined;

function validate(raw: unknown): ErrorObject[] {
  if (!validator) {
    const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object;
    validator = new Ajv({ allErrors: true, strict: true }).compile(schema);
  }
  return validator(raw) ? [] : (validator.errors ?? []);
}

/** Turns an Ajv error into one line a person can act on. */
function describe(error: ErrorObject): string {
  const path = error.instancePath === '' ? '(top level)' : error.instancePath.slice(1).replace(/\//g, '.');
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') return `${path}: unknown key "${String(params.additionalProperty)}"`;
  if (error.keyword === 'required') return `${path}: missing key "${String(params.missingProperty)}"`;
  if (error.keyword === 'enum') return `${path}: must be one of ${(params.allowedValues as string[]).join(', ')}`;
  if (error.keyword === 'pattern' && error.instancePath.includes('listen')) {
    return `${path}: expected "host:port" or "[v6]:port"`;
  }
  if (error.keyword === 'pattern' && path === 'update.realm') {
    return `${path}: must be printable ASCII without quotes or backslashes (it goes into an HTTP header)`;
  }
  return `${path}: ${error.message ?? 'is invalid'}`;
}

/** Parses one `host:port` / `[v6]:port` string. */
function parseListen(text: string, path: string, problems: string[]): Listen {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text);
  const host = m?.[1] ?? m?.[2] ?? '';
  const port = Number(m?.[3]);
  if (!m || port > 65535) problems.push(`${path}: "${text}" is not a valid "host:port"`);
  else if (m[1] !== undefined && !ipaddr.IPv6.isValid(host)) problems.push(`${path}: "${host}" is not an IPv6 address`);
  return { host, port };
}

type RawZone = { name: string; soa: Partial<SoaFields> & { mname: string; rname: string }; ns: string[]; records?: string[] };
type Raw = {
  dataDir?: string;
  dns?: { listen?: string[] };
  http?: { listen?: string[] };
  https?: { listen: string[]; cert: string; key: string };
  zones?: RawZone[];
  update?: { ttl?: number; realm?: string; rateLimit?: { perDomain?: Window; failedAuth?: Window }; trustedProxies?: string[] };
  log?: { level?: string };
};

/** Checks a name field of a zone; `hint` is added to the problem. */
function checkName(text: string, path: string, problems: string[], hint = ''): string {
  const name = canonicalName(text);
  if (!isValidName(name)) problems.push(`${path}: "${text}" is not a valid domain name${hint}`);
  return name;
}

/** Reads every configured record line, so a bad one is reported with its key path. */
function checkRecords(zone: ZoneConfig, path: string, problems: string[]): void {
  zone.records.forEach((line, j) => {
    try {
      const record = parseRecordLine(line, zone.name, zone.soa.ttl);
      if (!isAtOrBelow(record.name, zone.name)) throw new Error(`${record.name} is outside the zone`);
      if (record.type === RRType.SOA) throw new Error('the SOA comes from "soa"');
      if (record.type === RRType.NS && record.name === zone.name) throw new Error('the apex NS records come from "ns"');
    } catch (err) {
      problems.push(`${path}.records.${j} (line ${j + 1}): ${(err as Error).message}`);
    }
  });
}

function checkZones(zones: RawZone[], problems: string[]): ZoneConfig[] {
  const out = zones.map((z, i): ZoneConfig => {
    const path = `zones.${i}`;
    const mailbox = z.soa.rname.includes('@') ? ' (write the mailbox as a name: hostmaster.example.org)' : '';
    const soa = {
      ...DEFAULTS.soa,
      ...z.soa,
      mname: checkName(z.soa.mname, `${path}.soa.mname`, problems),
      rname: checkName(z.soa.rname, `${path}.soa.rname`, problems, mailbox),
    };
    const ns = z.ns.map((n, j) => checkName(n, `${path}.ns.${j}`, problems));
    const zone = { name: checkName(z.name, `${path}.name`, problems), soa, ns, records: z.records ?? [] };
    checkRecords(zone, path, problems);
    return zone;
  });
  out.forEach((a, i) =>
    out.slice(0, i).forEach((b) => {
      if (a.name === b.name) problems.push(`zones.${i}.name: "${a.name}" is configured twice`);
      else if (isAtOrBelow(a.name, b.name) || isAtOrBelow(b.name, a.name)) {
        problems.push(`zones.${i}.name: "${a.name}" overlaps zone "${b.name}"; zones must not nest`);
      }
    }),
  );
  return out;
}

function parseCidr(text: string, path: string, problems: string[]): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  const subnet = parseSubnet(text);
  if (subnet) return subnet;

  problems.push(`${path}: "${text}" is not an address or CIDR (IPv4 in plain dotted-quad form)`);
  return [ipaddr.parse('::'), 128];
}

/** Builds a Config from raw JSON, or throws ConfigError listing every problem. */
export function buildConfig(raw: unknown, file: string | null): Config {
  const label = file ?? 'built-in default';
  const problems = validate(raw).map(describe);
  const schemaOk = problems.length === 0;
  let config: Config;
  try {
    config = assemble(raw as Raw, file, problems);
  } catch (err) {
    // A file that breaks the schema may break the checks below it too;
    // the schema's own problems already say what to fix.
    if (schemaOk) throw err;
    throw new ConfigError(label, problems);
  }
  if (problems.length > 0) throw new ConfigError(label, problems);
  return Object.freeze(config);
}

/** Fills defaults and runs the checks a schema cannot express. */
function assemble(r: Raw, file: string | null, problems: string[]): Config {
  const base = file ? dirname(file) : process.cwd();
  const listen = (list: string[], key: string): Listen[] => list.map((s, i) => parseListen(s, `${key}.${i}`, problems));
  const u = r.update ?? {};
  return {
    file,
    dataDir: resolve(base, r.dataDir ?? DEFAULTS.dataDir),
    dns: { listen: listen(r.dns?.listen ?? [...DEFAULTS.dnsListen], 'dns.listen') },
    http: { listen: listen(r.http?.listen ?? [...DEFAULTS.httpListen], 'http.listen') },
    https: r.https
      ? { listen: listen(r.https.listen, 'https.listen'), cert: resolve(base, r.https.cert), key: resolve(base, r.https.key) }
      : null,
    zones: checkZones(r.zones ?? [], problems),
    update: {
      ttl: u.ttl ?? DEFAULTS.updateTtl,
      realm: u.realm ?? DEFAULTS.realm,
      rateLimit: {
        perDomain: u.rateLimit?.perDomain ?? { ...DEFAULTS.perDomain },
        failedAuth: u.rateLimit?.failedAuth ?? { ...DEFAULTS.failedAuth },
      },
      trustedProxies: (u.trustedProxies ?? []).map((c, i) => parseCidr(c, `update.trustedProxies.${i}`, problems)),
    },
    log: { level: r.log?.level ?? DEFAULTS.logLevel },
  };
}

/** The built-in default configuration as raw JSON. */
export function defaultRaw(): object {
  return {
    dataDir: DEFAULTS.dataDir,
    dns: { listen: [...DEFAULTS.dnsListen] },
    http: { listen: [...DEFAULTS.httpListen] },
    zones: [{ ...DEFAULTS.zone, soa: { ...DEFAULTS.zone.soa, ...DEFAULTS.soa }, ns: [...DEFAULTS.zone.ns], records: [...DEFAULTS.zone.records] }],
    update: {
      ttl: DEFAULTS.updateTtl,
      realm: DEFAULTS.realm,
      rateLimit: { perDomain: { ...DEFAULTS.perDomain }, failedAuth: { ...DEFAULTS.failedAuth } },
      trustedProxies: [],
    },
    log: { level: DEFAULTS.logLevel },
  };
}

/**
 * Loads the configuration: `file` when given; else `./config.json` when it
 * exists; else the built-in default.
 */
export function loadConfig(file?: string): Config {
  const path = resolve(file ?? 'config.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (file === undefined && code === 'ENOENT') return buildConfig(defaultRaw(), null);
    throw new ConfigError(path, [`cannot read the file: ${code ?? (err as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(path, [`not valid JSON: ${(err as Error).message}`]);
  }
  return buildConfig(raw, path);
}
