/**
 * The update endpoint's listeners: plain HTTP on every `http.listen`
 * address, HTTPS on every `https.listen` address. Node's own servers, with
 * limits on the request line, the headers and the time a client may take,
 * and every answer sent with a Content-Length (never chunked).
 */
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

import type { Config, Listen } from '../config.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import type { State } from '../state.js';
import { render, type Answer } from './answers.js';
import { clientErrorOutcome, rawResponse, type ClientError } from './client-error.js';
import { handle, type HandlerContext, type Handled } from './handler.js';
import * as log from './log.js';
import { RateLimiter } from './rate-limit.js';
import { loadCertificate, type LoadedCertificate } from './tls.js';

/** Limits on requests and connections; every field has a default. */
export interface ServerLimits {
  /** Longest request target (path and query) answered, in bytes; longer gets 414. */
  maxUrlBytes: number;
  /** Most header bytes answered; more gets 431. */
  maxHeaderBytes: number;
  /** Time a client has to send the request line and headers, in ms. */
  headersTimeoutMs: number;
  /** Time a client has to send the whole request, in ms. */
  requestTimeoutMs: number;
  /** Time an idle keep-alive connection stays open, in ms. */
  keepAliveTimeoutMs: number;
  /** Time `close()` waits for requests in flight before cutting them, in ms. */
  closeGraceMs: number;
  /** Open connections per listener; more are refused at accept. */
  maxConnections: number;
}

/** The defaults: an 8 KiB URL as Apache and nginx allow, short timeouts for a tiny API. */
export const DEFAULT_LIMITS: Readonly<ServerLimits> = {
  maxUrlBytes: 8190,
  maxHeaderBytes: 8192,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  closeGraceMs: 5_000,
  maxConnections: 1024,
};

/** Node's own bound on request line plus headers, in bytes; ours above are smaller. */
const NODE_MAX_HEADER_SIZE = 16 * 1024;

/** What the update server is built from. */
export interface UpdateServerOptions {
  state: State;
  config: Config;
  logger: Logger;
  /** The clock, in ms since the epoch; tests may replace it. */
  now?: () => number;
  limits?: Partial<ServerLimits>;
}

/** The HTTP and HTTPS listeners of the update endpoint. */
export class UpdateServer {
  readonly #config: Config;
  readonly #logger: Logger;
  readonly #limits: ServerLimits;
  readonly #context: HandlerContext;
  readonly #http: Server[] = [];
  readonly #https: HttpsServer[] = [];
  /** Sockets with a response under way; a parse error there must not add a second one. */
  readonly #busy = new WeakSet<Socket>();
  #closing = false;

  constructor({ state, config, logger, now = Date.now, limits = {} }: UpdateServerOptions) {
    this.#config = config;
    this.#logger = logger;
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
    const { rateLimit, ttl, trustedProxies } = config.update;
    const deps = {
      zones: state.zones,
      directory: state.directory,
      ttl,
      perDomain: new RateLimiter(rateLimit.perDomain),
      failedAuth: new RateLimiter(rateLimit.failedAuth),
    };
    const { maxUrlBytes, maxHeaderBytes } = this.#limits;
    this.#context = { state, deps, trustedProxies, limits: { maxUrlBytes, maxHeaderBytes }, now };
  }

  /** Opens every configured listener; on any failure closes those opened and throws. */
  async start(): Promise<void> {
    try {
      for (const listen of this.#config.http.listen) {
        this.#http.push(await this.#listen(this.#wire(createHttpServer(this.#serverOptions())), listen));
      }
      const https = this.#config.https;
      if (!https) return;

      const certificate = await this.#loadAtStart(https.cert, https.key);
      for (const listen of https.listen) {
        this.#https.push(await this.#listen(this.#createHttps(certificate), listen));
      }
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** The bound addresses, in configuration order (port 0 resolved). */
  addresses(): { http: AddressInfo[]; https: AddressInfo[] } {
    const bound = (servers: Server[]) => servers.map((s) => s.address() as AddressInfo);
    return { http: bound(this.#http), https: bound(this.#https) };
  }

  /**
   * Re-reads the HTTPS certificate and key and serves them on every HTTPS
   * listener without dropping it. When the new files cannot be used, the
   * old certificate stays and the reason is logged. Returns true when the
   * new certificate is in use; false when it was refused or HTTPS is off.
   */
  async reloadCertificates(): Promise<boolean> {
    const https = this.#config.https;
    if (!https || this.#https.length === 0) return false;

    let certificate: LoadedCertificate;
    try {
      certificate = await loadCertificate(https.cert, https.key);
    } catch (err) {
      log.logCertificateRefused(this.#logger, (err as Error).message);
      return false;
    }
    for (const server of this.#https) server.setSecureContext(certificate.options);
    log.logCertificate(this.#logger, certificate);
    return true;
  }

  /**
   * Stops accepting, lets requests in flight finish (up to the grace time),
   * and closes idle keep-alive connections.
   */
  async close(): Promise<void> {
    this.#closing = true;
    const servers = [...this.#http.splice(0), ...this.#https.splice(0)];
    await Promise.all(servers.map((server) => this.#closeOne(server)));
  }

  async #closeOne(server: Server): Promise<void> {
    if (!server.listening) return;

    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const grace = setTimeout(() => server.closeAllConnections(), this.#limits.closeGraceMs);
    await closed;
    clearTimeout(grace);
  }

  async #loadAtStart(cert: string, key: string): Promise<LoadedCertificate> {
    try {
      const certificate = await loadCertificate(cert, key);
      log.logCertificate(this.#logger, certificate);
      return certificate;
    } catch (err) {
      const problem = `https: cannot use the certificate: ${(err as Error).message}`;
      throw new ConfigError(this.#config.file ?? 'built-in default', [problem]);
    }
  }

  #serverOptions() {
    return {
      maxHeaderSize: NODE_MAX_HEADER_SIZE,
      headersTimeout: this.#limits.headersTimeoutMs,
      requestTimeout: this.#limits.requestTimeoutMs,
      keepAliveTimeout: this.#limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, this.#limits.headersTimeoutMs),
      requireHostHeader: false,
    };
  }

  #createHttps(certificate: LoadedCertificate): HttpsServer {
    const server = createHttpsServer({ ...this.#serverOptions(), ...certificate.options });
    server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      log.logTlsError(this.#logger, socket.remoteAddress, err.code);
    });
    return this.#wire(server);
  }

  #wire<S extends Server>(server: S): S {
    server.maxConnections = this.#limits.maxConnections;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.#respond(req, res).catch((err: unknown) => {
        // Writing the answer itself failed: nothing more can be said to this client.
        log.logHandlerError(this.#logger, req.socket.remoteAddress, err);
        res.destroy();
      });
    });
    server.on('clientError', (err: ClientError, socket: Socket) => this.#onClientError(err, socket));
    return server;
  }

  async #listen<S extends Server>(server: S, { host, port }: Listen): Promise<S> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server;
  }

  async #respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    this.#busy.add(req.socket);
    res.once('close', () => this.#busy.delete(req.socket));
    let handled: Handled;
    try {
      handled = await handle(req, this.#context);
    } catch (err) {
      log.logHandlerError(this.#logger, req.socket.remoteAddress, err);
      handled = { outcome: { kind: 'server-fault' }, client: req.socket.remoteAddress ?? '', path: '' };
    }
    const answer = render(handled.outcome, this.#config.update.realm);
    this.#send(req, res, answer);

    const ms = Math.round(performance.now() - started);
    const { status } = answer;
    const record = { ...handled, method: req.method ?? '', status, outcome: handled.outcome.kind, ms };
    if (handled.facts) log.logUpdate(this.#logger, record);
    else log.logOther(this.#logger, record);
  }

  /** Writes an answer with its Content-Length; a request body is never read, so it closes. */
  #send(req: IncomingMessage, res: ServerResponse, answer: Answer): void {
    const body = Buffer.from(answer.body, 'utf8');
    const headers: Record<string, string | number> = { ...answer.headers, 'Content-Length': body.length };
    const length = Number(req.headers['content-length'] ?? 0);
    const hasBody = req.headers['transfer-encoding'] !== undefined || length > 0;
    if (this.#closing || hasBody) headers.Connection = 'close';

    res.writeHead(answer.status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  /** Answers what Node could not parse, or a client too slow to send its request. */
  #onClientError(err: ClientError, socket: Socket): void {
    const outcome = clientErrorOutcome(err);
    const answer = outcome && render(outcome, this.#config.update.realm);
    log.logClientError(this.#logger, socket.remoteAddress, err.code ?? 'unknown', answer?.status);
    if (!answer || !socket.writable || this.#busy.has(socket)) {
      socket.destroy();
      return;
    }

    socket.end(rawResponse(answer));
  }
}
