/**
 * The composition root: builds the store, the state, the DNS server, the
 * update endpoint and the control socket from one Config, and starts and
 * stops them in order. Tests start a whole server through `createApp`.
 */
import type { AddressInfo } from 'node:net';

import type { Config } from './config.js';
import { ControlServer } from './control.js';
import { DnsServer } from './dns/server.js';
import type { Logger } from './log.js';
import { State } from './state.js';
import { FileStore } from './store/file-store.js';
import { UpdateServer } from './update/server.js';

/** Where a started app listens. */
export interface AppAddresses {
  dns: { udp: AddressInfo[]; tcp: AddressInfo[] };
  http: AddressInfo[];
  https: AddressInfo[];
}

/** A running dynzone server. */
export interface App {
  readonly state: State;
  /** Where each listener is bound (port 0 resolved). */
  addresses(): AppAddresses;
  /** Re-reads the TLS certificate; false when the new one was refused. */
  reload(): Promise<boolean>;
  /** Stops accepting, finishes what is in flight, flushes, releases files. */
  close(): Promise<void>;
}

/** Opens the data folder and starts every listener of the configuration. */
export async function startApp(config: Config, logger: Logger): Promise<App> {
  let state: State | undefined;
  const store = new FileStore({ dir: config.dataDir, snapshot: () => (state as State).snapshot() });
  state = await State.open(config.zones, store, logger);
  const dns = new DnsServer({ zones: state.zones, listen: config.dns.listen, logger });
  const update = new UpdateServer({ state, config, logger });
  const control = new ControlServer(config.dataDir, state, logger);

  const started: { close(): Promise<void> }[] = [];
  try {
    for (const part of [control, dns, update]) {
      await part.start();
      started.push(part);
    }
  } catch (err) {
    for (const part of started.reverse()) await part.close().catch(() => undefined);
    await state.close().catch(() => undefined);
    throw err;
  }
  logListeners(logger, dns, update);
  return appOf(state, dns, update, control);
}

function appOf(state: State, dns: DnsServer, update: UpdateServer, control: ControlServer): App {
  let closing: Promise<void> | undefined;
  return {
    state,
    addresses: () => ({ dns: dns.addresses(), ...update.addresses() }),
    reload: () => update.reloadCertificates(),
    close: () =>
      (closing ??= (async () => {
        await control.close();
        await Promise.all([dns.close(), update.close()]);
        await state.close();
      })()),
  };
}

function logListeners(logger: Logger, dns: DnsServer, update: UpdateServer): void {
  const where = (a: AddressInfo): string => (a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`);
  const { udp, tcp } = dns.addresses();
  udp.forEach((a) => logger.info({ listen: where(a) }, 'DNS listening on UDP'));
  tcp.forEach((a) => logger.info({ listen: where(a) }, 'DNS listening on TCP'));
  const { http, https } = update.addresses();
  http.forEach((a) => logger.info({ listen: where(a) }, 'update endpoint listening on HTTP'));
  https.forEach((a) => logger.info({ listen: where(a) }, 'update endpoint listening on HTTPS'));
}
