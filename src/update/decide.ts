/**
 * The decision for one update request, taken in the documented order:
 * credentials, names, the per-domain limit, addresses, and the changes they
 * make. It is synchronous, so nothing else runs between the decision and
 * `apply()`: each request is atomic against every other.
 */
import type { Directory } from '../auth/directory.js';
import type { RRsetChange, ZoneSet } from '../zone/zones.js';
import type { Address } from './address-items.js';
import { readTargets } from './addresses.js';
import type { Outcome } from './answers.js';
import { authenticate, type Authenticated } from './authenticate.js';
import { readCredentials } from './credentials.js';
import { resolveNames, type RequestNames } from './names.js';
import { planChanges } from './plan.js';
import type { Query } from './query.js';
import { clientKey, type RateLimiter } from './rate-limit.js';

/** What the decision reads from one request. */
export interface UpdateInput {
  query: Query;
  authorization: string | undefined;
  client: Address;
  /** The time of the request, in ms since the epoch. */
  now: number;
}

/** What the decision consults. */
export interface UpdateDeps {
  zones: ZoneSet;
  directory: Directory;
  /** TTL in seconds of every RRset an update writes. */
  ttl: number;
  perDomain: RateLimiter;
  failedAuth: RateLimiter;
}

/** What the log line says about a request; never a secret. */
export interface Facts {
  scheme?: string;
  account?: string;
  /** The token's id, which is not its secret. */
  token?: string;
  names: string[];
  /** Why it failed, in words for the operator. */
  reason?: string;
  /** Names left without any address by this request. */
  emptied?: string[];
}

/** Changes to apply, then answer `good` once per main name. */
export interface Planned {
  kind: 'apply';
  changes: RRsetChange[];
  lines: number;
  facts: Facts;
}

/** A final answer, or changes to apply. */
export type Decision = { kind: 'answer'; outcome: Outcome; facts: Facts } | Planned;

/** Decides one update request. */
export function decideUpdate(input: UpdateInput, deps: UpdateDeps): Decision {
  const credentials = readCredentials(input.authorization, input.query);
  const auth = authenticate(credentials, deps.directory, input.client, new Date(input.now));
  const facts: Facts = { names: [], ...(auth.scheme ? { scheme: auth.scheme } : {}) };
  if (!auth.ok) return refuseAuth(auth, input, deps, facts);

  facts.account = auth.account.name;
  facts.token = auth.token.id;
  const names = resolveNames({
    query: input.query,
    account: auth.account,
    basicUser: auth.scheme === 'basic' ? auth.user : undefined,
    domains: deps.directory.tokenDomains(auth.token),
    zones: deps.zones,
  });
  if (!names.ok) return answer({ kind: names.answer }, facts, names.reason);

  facts.names = [...new Set([...names.main, ...names.overrides.flatMap((o) => o.names)])];
  const hit = deps.perDomain.hit(names.domain, input.now);
  if (!hit.allowed) return limited(hit.retryAfter, facts, `update limit of ${names.domain}`);

  return decideChanges(input, deps, names, facts);
}

/** Reads the addresses for every name and plans the changes. */
function decideChanges(input: UpdateInput, deps: UpdateDeps, names: RequestNames, facts: Facts): Decision {
  const targets = readTargets(input.query, input.client, names);
  if ('message' in targets) return badRequest(targets.message, facts);

  const plan = planChanges(targets, deps.zones, deps.ttl);
  if (!plan.ok) return badRequest(plan.message, facts);

  if (plan.emptied.length > 0) facts.emptied = plan.emptied;
  return { kind: 'apply', changes: plan.changes, lines: names.main.length, facts };
}

/**
 * A failed authentication: 401, or 429 once the client address has used up
 * its failed-login allowance. A request without any credentials is the
 * challenge step of wget and urllib, not a guess, and is not counted.
 */
function refuseAuth(
  auth: Extract<Authenticated, { ok: false }>,
  input: UpdateInput,
  deps: UpdateDeps,
  facts: Facts,
): Decision {
  if (auth.reason === 'no-credentials') return answer({ kind: 'badauth' }, facts, auth.reason);

  const hit = deps.failedAuth.hit(clientKey(input.client), input.now);
  if (hit.allowed) return answer({ kind: 'badauth' }, facts, auth.reason);

  return limited(hit.retryAfter, facts, `${auth.reason}; failed-login limit reached`);
}

function answer(outcome: Outcome, facts: Facts, reason: string): Decision {
  return { kind: 'answer', outcome, facts: { ...facts, reason } };
}

function limited(retryAfter: number, facts: Facts, reason: string): Decision {
  return answer({ kind: 'rate-limited', retryAfter }, facts, reason);
}

/** A 400 whose one-line body is also the logged reason. */
function badRequest(message: string, facts: Facts): Decision {
  return answer({ kind: 'bad-request', message }, facts, message);
}
