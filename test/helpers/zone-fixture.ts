/** A small zone configuration shared by unit tests. */
import type { ZoneConfig } from '../../src/zone/zones.js';

/** `dyn.example.net` with name servers, glue and a few static records. */
export function fixtureZone(records: string[] = []): ZoneConfig {
  return {
    name: 'dyn.example.net',
    soa: { mname: 'ns1.dyn.example.net', rname: 'hostmaster.example.net', refresh: 3600, retry: 600, expire: 604800, minimum: 60, ttl: 3600 },
    ns: ['ns1.dyn.example.net'],
    records: ['ns1 IN A 192.0.2.53', ...records],
  };
}
