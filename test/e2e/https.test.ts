/**
 * HTTPS on the update endpoint: a certificate made here with openssl,
 * updates over TLS, TLS 1.1 refused by the server, and certificate reload
 * (the SIGHUP path): a renewed certificate is served on the same listener,
 * a bad one is refused and the old one stays.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connect, type ConnectionOptions } from 'node:tls';

import t from 'tap';

import { ConfigError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { UpdateServer } from '../../src/update/index.js';
import { fixtureConfig, fixtureState, recordsAt, startUpdateFixture } from '../helpers/update-fixture.js';
import { rawRequest } from '../helpers/update-http.js';

const SECRET = 'Xw2rZ9kq3VtN8pL5mH7sJ4dF6gA1';
const HOME = 'home.example.net';

/** Makes a self-signed P-256 certificate for localhost into `dir`. */
function makeCertificate(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=localhost'];
  return new Promise((resolve, reject) => {
    execFile('openssl', [...args, '-days', '1', '-keyout', key, '-out', cert], { timeout: 20_000 }, (err) =>
      err ? reject(err) : resolve({ cert, key }),
    );
  });
}

/** Connects with TLS and reports the protocol and the served certificate's fingerprint. */
function handshake(port: number, options: ConnectionOptions = {}): Promise<{ protocol: string | null; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, ...options });
    socket.setTimeout(5000, () => socket.destroy(new Error('handshake timed out')));
    socket.once('secureConnect', () => {
      const result = { protocol: socket.getProtocol(), fingerprint: socket.getPeerCertificate().fingerprint256 };
      socket.end();
      resolve(result);
    });
    socket.once('error', reject);
  });
}

/** Fingerprint of a PEM certificate file, as the TLS client reports it. */
function fingerprintOf(certFile: string): string {
  return new X509Certificate(readFileSync(certFile)).fingerprint256;
}

t.test('serves updates over HTTPS with TLS 1.2 and 1.3 and refuses TLS 1.1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dynzone-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const served = await makeCertificate(dir, 'served');
  const f = await startUpdateFixture(t.teardown, { domains: [HOME], tokens: [SECRET], https: served });
  const port = f.https4?.port as number;

  const tls = { ca: readFileSync(served.cert) };
  const target = `/nic/update?hostname=${HOME}&myip=203.0.113.7`;
  const res = await rawRequest({ ...f.http4, port, tls, target, headers: { Authorization: `Token ${SECRET}` } });
  t.match(res, { status: 200, body: 'good' }, 'the certificate verifies against itself as CA');
  t.same(recordsAt(f.state, HOME, 'A'), ['203.0.113.7']);

  t.equal((await handshake(port, { maxVersion: 'TLSv1.3', minVersion: 'TLSv1.3' })).protocol, 'TLSv1.3');
  t.equal((await handshake(port, { maxVersion: 'TLSv1.2', minVersion: 'TLSv1.2' })).protocol, 'TLSv1.2');
  // The client is told to allow old protocols (security level 0), so a refusal comes from the server.
  const old = handshake(port, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
  await t.rejects(old, { code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' }, 'the server answers TLS 1.1 with a protocol_version alert');
  t.equal((await rawRequest({ ...f.http4, port, tls, target: '/nic/checkip.html' })).body, '127.0.0.1', 'still serving');
});

t.test('reloads a renewed certificate on the same listener and keeps the old one when the new one is bad', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dynzone-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const live = await makeCertificate(dir, 'live');
  const renewed = await makeCertificate(dir, 'renewed');
  const other = await makeCertificate(dir, 'other');
  const lines: string[] = [];
  const logger = createLogger('debug', new Writable({ write: (chunk, _enc, next) => (lines.push(String(chunk)), next()) }));
  const f = await startUpdateFixture(t.teardown, { domains: [HOME], tokens: [SECRET], https: live, logger });
  const port = f.https4?.port as number;
  const first = fingerprintOf(live.cert);
  t.equal((await handshake(port)).fingerprint, first);

  writeFileSync(live.cert, readFileSync(renewed.cert));
  writeFileSync(live.key, readFileSync(renewed.key));
  t.equal(await f.server.reloadCertificates(), true);
  const second = fingerprintOf(renewed.cert);
  t.not(second, first);
  t.equal((await handshake(port)).fingerprint, second, 'the renewed certificate is served on the same port');

  writeFileSync(live.cert, readFileSync(other.cert));
  t.equal(await f.server.reloadCertificates(), false, 'a key that does not match is refused');
  t.equal((await handshake(port)).fingerprint, second, 'the previous certificate stays');
  t.match(lines.join(''), /"reason":"the key in [^"]+ does not belong to the certificate/);

  writeFileSync(live.cert, 'not a certificate');
  t.equal(await f.server.reloadCertificates(), false, 'garbage is refused');
  rmSync(live.key);
  t.equal(await f.server.reloadCertificates(), false, 'a missing key is refused');
  t.equal((await handshake(port)).fingerprint, second);
  t.match(lines.join(''), /https certificate not reloaded; the previous one stays in use/);
});

t.test('refuses to start with a certificate it cannot use, naming the problem', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dynzone-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'bad.crt'), 'nope');
  writeFileSync(join(dir, 'bad.key'), 'nope');
  const options = { domains: [HOME], tokens: [SECRET], https: { cert: join(dir, 'bad.crt'), key: join(dir, 'bad.key') } };
  const config = fixtureConfig(options);
  const { state } = await fixtureState(config, options);
  const server = new UpdateServer({ state, config, logger: createLogger('silent') });
  t.teardown(() => server.close());
  await t.rejects(server.start(), ConfigError);
  t.same(server.addresses(), { http: [], https: [] }, 'the HTTP listeners opened first are closed again');
  t.equal(await server.reloadCertificates(), false, 'nothing to reload');
});
