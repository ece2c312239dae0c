import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultSiteUrl } from './site-url.js';

const nic = (address: string, internal = false) => ({
  address,
  netmask: '255.255.255.0',
  family: 'IPv4' as const,
  mac: '02:00:00:00:00:01',
  internal,
  cidr: `${address}/24`,
});
const lo = [nic('127.0.0.1', true)];

test('on a network, the QR code and the links use the machine address phones can reach', () => {
  assert.equal(defaultSiteUrl(8000, '0.0.0.0', { lo, wlan0: [nic('192.168.1.23')] }), 'http://192.168.1.23:8000');
  assert.equal(
    defaultSiteUrl(8000, '0.0.0.0', { lo, docker0: [nic('203.0.113.9')], wlan0: [nic('10.4.0.7')] }),
    'http://10.4.0.7:8000',
    'a private address first',
  );
  assert.equal(
    defaultSiteUrl(8000, '0.0.0.0', { lo, docker0: [nic('172.17.0.1')], wlan0: [nic('100.64.3.9')] }),
    'http://100.64.3.9:8000',
    'not a container bridge',
  );
  assert.equal(defaultSiteUrl(8000, '::', { lo, eth0: [nic('203.0.113.9')] }), 'http://203.0.113.9:8000');
});

test('without a network, or listening on loopback only, it is localhost; a given address is kept', () => {
  assert.equal(defaultSiteUrl(8000, '0.0.0.0', { lo }), 'http://localhost:8000');
  assert.equal(defaultSiteUrl(8000, '0.0.0.0', { lo, eth0: [nic('169.254.3.3')] }), 'http://localhost:8000');
  assert.equal(defaultSiteUrl(8000, '127.0.0.1', { lo, wlan0: [nic('192.168.1.23')] }), 'http://localhost:8000');
  assert.equal(defaultSiteUrl(9000, '192.168.1.23', { lo }), 'http://192.168.1.23:9000');
});
