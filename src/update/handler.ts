/**
 * One HTTP request, from the request line to the outcome: size limits,
 * method, the paths that are not updates, the client address, then the
 * update decision and its durable application. Writing the answer is the
 * server's job; this file only decides.
 */
import type { IncomingMessage } from 'node:http';

import type { State } from '../state.js';
import { addressText } from './address-items.js';
import type { Outcome } from './answers.js';
import { applyUpdate } from './apply.js';
import { clientAddress, type TrustedProxies } from './client-ip.js';
import { decideUpdate, type Facts, type UpdateDeps } from './decide.js';
import { parseQuery, splitTarget } from './query.js';

/** The path update clients ask for their own address. */
export const CHECKIP_PATH = '/nic/checkip.html';

/** The health check; everything under `/_dynzone/` is reserved. */
export const HEALTH_PATH = '/_dynzone/health';

const RESERVED_PREFIX = '/_dynzone/';

/** Size limits checked on every request, in bytes. */
export interface RequestLimits {
  maxUrlBytes: number;
  maxHeaderBytes: number;
}

/** Everything a request handler needs, built once per server. */
export interface HandlerContext {
  state: State;
  deps: UpdateDeps;
  trustedProxies: TrustedProxies;
  limits: RequestLimits;
  /** The clock, in ms since the epoch. */
  now: () => number;
}

/** The outcome of one request, and what its log line needs. */
export interface Handled {
  outcome: Outcome;
  client: string;
  path: string;
  /** Present for update requests only: they get the one line per update. */
  facts?: Facts;
}

/** Decides (and for updates applies) one request. */
export async function handle(req: IncomingMessage, ctx: HandlerContext): Promise<Handled> {
  const target = req.url ?? '/';
  const { path, query } = splitTarget(target);
  const peer = { client: req.socket.remoteAddress ?? '', path };
  const early = checkRequest(req, target, path, ctx.limits);
  if (early) return { ...peer, outcome: early };

  const found = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], ctx.trustedProxies);
  if (!found.ok) return { ...peer, outcome: { kind: 'bad-request', message: found.message } };
  const client = addressText(found.address);
  const other = otherPath(path, client);
  if (other) return { client, path, outcome: other };

  const input = { query: parseQuery(query), authorization: req.headers.authorization, client: found.address };
  const decision = decideUpdate({ ...input, now: ctx.now() }, ctx.deps);
  if (decision.kind === 'answer') return { client, path, outcome: decision.outcome, facts: decision.facts };

  const applied = await applyUpdate(decision, ctx.state);
  const facts = applied.reason ? { ...decision.facts, reason: applied.reason } : decision.facts;
  return { client, path, outcome: applied.outcome, facts };
}

/** A refusal decided before the client address or credentials are read, if any. */
type Early = Outcome | undefined;

/** Refusals decided before the client address or credentials are read. */
function checkRequest(req: IncomingMessage, target: string, path: string, limits: RequestLimits): Early {
  if (Buffer.byteLength(target) > limits.maxUrlBytes) return { kind: 'uri-too-long' };
  if (headerBytes(req) > limits.maxHeaderBytes) return { kind: 'headers-too-large' };
  if (req.method !== 'GET') return { kind: 'method-not-allowed' };
  if (/\.(ico|png)$/i.test(path.slice(path.lastIndexOf('/') + 1))) return { kind: 'not-found' };

  return undefined;
}

/** The answer for the paths that are not updates, or undefined for an update. */
function otherPath(path: string, client: string): Outcome | undefined {
  if (path === CHECKIP_PATH) return { kind: 'checkip', address: client };
  if (path === HEALTH_PATH) return { kind: 'health' };
  if (path.startsWith(RESERVED_PREFIX)) return { kind: 'not-found' };

  return undefined;
}

/** Bytes of the header lines as sent: name, colon, space, value, CRLF. */
function headerBytes(req: IncomingMessage): number {
  let total = 0;
  for (const field of req.rawHeaders) total += Buffer.byteLength(field) + 2;
  return total;
}
