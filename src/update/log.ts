/**
 * Every log line of the update endpoint. Each line is built from an
 * allow-list of fields: never a header, never the query string, never the
 * raw URL, so no secret can reach the log. Client mistakes go at info,
 * repeated failed logins and records wiped by a request at warn, server
 * faults at error; requests other than updates only at debug.
 */
import type { Logger } from '../log.js';
import type { Outcome } from './answers.js';
import type { Facts } from './decide.js';

/** Longest path written to the log, in characters. */
const MAX_PATH = 200;

/** Most names listed in one line. */
const MAX_NAMES = 20;

/** What is known about one answered request. */
export interface RequestRecord {
  client: string;
  method: string;
  /** The request path without its query string. */
  path: string;
  status: number;
  outcome: Outcome['kind'];
  ms: number;
  facts?: Facts;
}

/** The allow-list serializer: copies only the fields named here. */
function fields(record: RequestRecord): Record<string, unknown> {
  const { client, method, status, outcome, ms, facts } = record;
  const path = record.path.length > MAX_PATH ? `${record.path.slice(0, MAX_PATH)}...` : record.path;
  const line: Record<string, unknown> = { client, method, path, status, outcome, ms };
  if (!facts) return line;

  if (facts.scheme) line.scheme = facts.scheme;
  if (facts.account) line.account = facts.account;
  if (facts.token) line.token = facts.token;
  if (facts.names.length > 0) line.names = facts.names.slice(0, MAX_NAMES);
  if (facts.reason) line.reason = facts.reason;
  if (facts.emptied) line.emptied = facts.emptied.slice(0, MAX_NAMES);
  return line;
}

/** One line per update request, at the level its outcome calls for. */
export function logUpdate(logger: Logger, record: RequestRecord): void {
  const line = fields(record);
  // The per-domain limit counts only after a login: a refusal without an account is the login limit.
  const loginLimit = record.outcome === 'rate-limited' && record.facts?.account === undefined;
  if (record.status >= 500) logger.error(line, 'update failed on the server');
  else if (loginLimit) logger.warn(line, 'update refused: too many failed logins');
  else if (record.facts?.emptied) logger.warn(line, 'update removed every address of a name');
  else logger.info(line, record.outcome === 'good' ? 'update' : 'update refused');
}

/** A request that is not an update (favicon, checkip, health, wrong method). */
export function logOther(logger: Logger, record: RequestRecord): void {
  logger.debug(fields(record), 'request');
}

/** A request Node could not parse, or one that timed out before it was read. */
export function logClientError(logger: Logger, client: string | undefined, code: string, status?: number) {
  logger.debug({ client, code, status }, 'client error');
}

/** A TLS handshake that failed (old protocol, no shared cipher, a port scan). */
export function logTlsError(logger: Logger, client: string | undefined, code: string | undefined): void {
  logger.debug({ client, code }, 'tls handshake failed');
}

/** The HTTPS certificate now in use. */
export function logCertificate(logger: Logger, loaded: { fingerprint: string; validTo: string }): void {
  logger.info({ fingerprint: loaded.fingerprint, validTo: loaded.validTo }, 'https certificate loaded');
}

/** A new HTTPS certificate that could not be used; the previous one stays. */
export function logCertificateRefused(logger: Logger, reason: string): void {
  logger.error({ reason }, 'https certificate not reloaded; the previous one stays in use');
}

/** An exception in a request handler; the client got 500 `911`. */
export function logHandlerError(logger: Logger, client: string | undefined, err: unknown): void {
  const error = err instanceof Error ? pick(err) : { message: String(err) };
  logger.error({ client, error }, 'update handler failed');
}

function pick(err: Error): { name: string; message: string; stack?: string } {
  return { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
}
