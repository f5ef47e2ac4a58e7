/**
 * Starts a whole dynzone in-process for end-to-end tests: a temp data
 * folder, every listener on port 0 (IPv4 and IPv6), closed in teardown.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startApp, type App } from '../../src/app.js';
import { buildConfig, type Config } from '../../src/config.js';
import { createLogger, silentLogger, type Logger } from '../../src/log.js';
import { runCommand } from '../../src/manage.js';

/** The pieces a test needs from a started app. */
export interface TestApp {
  app: App;
  config: Config;
  dir: string;
  dnsPort: number;
  httpPort: number;
  http6Port: number;
  /** Creates account, domains and a token; returns the secret. */
  account(name: string, domains: string[], token?: Record<string, string>): Promise<string>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** Raw configuration for a test app; `extra` overrides top-level keys. */
export function testConfigRaw(dir: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    dataDir: join(dir, 'data'),
    dns: { listen: ['127.0.0.1:0', '[::1]:0'] },
    http: { listen: ['127.0.0.1:0', '[::1]:0'] },
    zones: [
      {
        name: 'example.net',
        soa: { mname: 'ns1.example.net', rname: 'hostmaster.example.net', minimum: 60, ttl: 3600 },
        ns: ['ns1.example.net'],
        records: ['ns1 IN A 127.0.0.1'],
      },
    ],
    log: { level: 'silent' },
    ...extra,
  };
}

/** Starts an app in a temp folder and registers its teardown. */
export async function startTestApp(t: Teardown, extra: Record<string, unknown> = {}, logger: Logger = silentLogger()): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'dynzone-app-'));
  const config = buildConfig(testConfigRaw(dir, extra), null);
  const app = await startApp(config, logger);
  t.teardown(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const { dns, http } = app.addresses();
  const v4 = http.find((a) => a.family === 'IPv4');
  const v6 = http.find((a) => a.family === 'IPv6');
  return {
    app,
    config,
    dir,
    dnsPort: dns.udp[0]?.port ?? 0,
    httpPort: v4?.port ?? 0,
    http6Port: v6?.port ?? 0,
    account: async (name, domains, token = {}) => {
      const state = app.state;
      if (!state.directory.account(name)) await runCommand(state, 'account add', { name });
      for (const domain of domains) await runCommand(state, 'domain add', { name: domain, account: name });
      const created = (await runCommand(state, 'token create', { account: name, ...token })) as { secret: string };
      return created.secret;
    },
  };
}

export { createLogger };
