import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { promisify } from 'node:util';
import t from 'tap';

import { startApp } from '../../src/app.js';
import { silentLogger } from '../../src/log.js';
import { startTestApp } from '../helpers/app.js';

const run = promisify(execFile);

async function hasDig(): Promise<boolean> {
  return run('dig', ['-v']).then(() => true, () => false);
}

t.test('an update over HTTP is served by the next DNS query over IPv4 and IPv6', async (t) => {
  const { account, httpPort, app } = await startTestApp(t);
  const secret = await account('alice', ['home.example.net']);
  const response = await fetch(`http://127.0.0.1:${httpPort}/nic/update?hostname=home.example.net&myip=203.0.113.7,2001:db8::7`, {
    headers: { authorization: `Token ${secret}` },
  });
  t.equal(response.status, 200);
  t.equal(await response.text(), 'good');

  for (const server of app.addresses().dns.udp) {
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([server.family === 'IPv6' ? `[${server.address}]:${server.port}` : `${server.address}:${server.port}`]);
    t.same(await resolver.resolve4('home.example.net'), ['203.0.113.7'], server.family);
    t.same(await resolver.resolve6('home.example.net'), ['2001:db8::7'], server.family);
  }
});

t.test('dig sees the new address over UDP and TCP', { skip: !(await hasDig()) && 'dig is not installed (Debian package bind9-dnsutils)' }, async (t) => {
  const { account, httpPort, dnsPort } = await startTestApp(t);
  const secret = await account('bob', ['nas.example.net']);
  const basic = Buffer.from(`nas.example.net:${secret}`).toString('base64');
  const response = await fetch(`http://127.0.0.1:${httpPort}/update?myipv4=198.51.100.20&myipv6=preserve`, { headers: { authorization: `Basic ${basic}` } });
  t.equal(await response.text(), 'good');
  for (const transport of ['+notcp', '+tcp']) {
    const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(dnsPort), '+norec', '+noall', '+answer', transport, 'nas.example.net', 'A']);
    t.match(stdout, /^nas\.example\.net\.\s+60\s+IN\s+A\s+198\.51\.100\.20$/m, transport);
  }
});

t.test('acknowledged updates are there after a restart on the same data folder', async (t) => {
  const first = await startTestApp(t, { update: { rateLimit: { perDomain: { requests: 100, windowSeconds: 60 } } } });
  const secret = await first.account('carol', ['cabin.example.net']);
  for (let i = 1; i <= 20; i++) {
    const response = await fetch(`http://127.0.0.1:${first.httpPort}/?hostname=h${i}.cabin.example.net&myip=192.0.2.${i}`, { headers: { authorization: `Token ${secret}` } });
    t.equal(response.status, 200);
  }
  const serial = first.app.state.zones.get('example.net')?.serial;
  await first.app.close();

  const again = await startApp(first.config, silentLogger());
  t.teardown(() => again.close());
  const zone = again.state.zones.get('example.net');
  t.equal(zone?.serial, serial, 'the serial is kept');
  for (let i = 1; i <= 20; i++) t.same(zone?.get(`h${i}.cabin.example.net`, 1)?.rdata, [`192.0.2.${i}`]);
});
