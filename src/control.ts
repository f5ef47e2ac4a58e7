/**
 * The control socket: a Unix socket in the data folder through which the
 * command line hands management commands to a running server, so the
 * server stays the only writer. The folder is owner-only (0700) and the
 * socket 0600, so only the server's user can connect.
 */
import { chmod, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';

import { DynzoneError, UsageError } from './errors.js';
import type { Logger } from './log.js';
import { runCommand, type Args } from './manage.js';
import type { State } from './state.js';

/** The socket's file name inside the data folder. */
export const CONTROL_SOCKET = 'control.sock';

/** Largest request accepted (a zone file for import included). */
const MAX_REQUEST = 64 * 1024 * 1024;

/** One request: a command name and its arguments. */
interface Request {
  command: string;
  args: Args;
}

/** One response: the result, or an error code and message. */
type Response = { ok: true; result: unknown } | { ok: false; code: string; message: string };

/** Path of the control socket for a data folder. */
export function controlPath(dataDir: string): string {
  return join(dataDir, CONTROL_SOCKET);
}

/** Listens on the control socket and runs each request against the state. */
export class ControlServer {
  readonly #path: string;
  readonly #state: State;
  readonly #logger: Logger;
  #server: Server | undefined;

  constructor(dataDir: string, state: State, logger: Logger) {
    this.#path = controlPath(dataDir);
    this.#state = state;
    this.#logger = logger;
  }

  /** Starts listening; a stale socket file left by a crash is replaced. */
  async start(): Promise<void> {
    await unlink(this.#path).catch(() => undefined);
    const server = createServer({ allowHalfOpen: true }, (socket) => this.#serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#path, () => resolve());
    });
    await chmod(this.#path, 0o600);
    this.#server = server;
  }

  /** Stops listening and removes the socket file. */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;

    this.#server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await unlink(this.#path).catch(() => undefined);
  }

  #serve(socket: Socket): void {
    const chunks: Buffer[] = [];
    let size = 0;
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST) socket.destroy();
      else chunks.push(chunk);
    });
    socket.on('end', () => void this.#answer(socket, Buffer.concat(chunks).toString('utf8')));
  }

  async #answer(socket: Socket, text: string): Promise<void> {
    let response: Response;
    try {
      const request = JSON.parse(text) as Partial<Request> | null;
      const args = request?.args ?? {};
      if (typeof request?.command !== 'string' || typeof args !== 'object' || args === null || Array.isArray(args)) {
        throw new UsageError('a control request is {"command": string, "args": object}');
      }
      response = { ok: true, result: await runCommand(this.#state, request.command, args) };
      this.#logger.info({ command: request.command }, 'management command done');
    } catch (caught) {
      const err = caught instanceof SyntaxError ? new UsageError('a control request must be JSON') : caught;
      const known = err instanceof DynzoneError;
      if (!known) this.#logger.error({ err }, 'management command failed');
      response = { ok: false, code: known ? err.code : 'DDNS_ERR_INTERNAL', message: (err as Error).message };
    }
    socket.end(JSON.stringify(response));
  }
}

/** Sends one command to a running server and returns its response. */
export function controlRequest(dataDir: string, command: string, args: Args): Promise<Response> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(controlPath(dataDir));
    const chunks: Buffer[] = [];
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Response);
      } catch (err) {
        reject(err as Error);
      }
    });
    socket.end(JSON.stringify({ command, args }));
  });
}
