import os from 'node:os';

type Interfaces = ReturnType<typeof os.networkInterfaces>;

const PRIVATE = [/^10\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./];
/** Container and VM bridges: their addresses are this machine's own, not the network's. */
const VIRTUAL = /^(docker|br-|veth|virbr|vmnet|cni|flannel|podman|lxc|lxd|tailscale|zt)/;

/**
 * The gallery's address when `GALLERY_URL` is not set. A booth laptop on the venue's Wi-Fi is
 * reached by phones at its network address, not at localhost: the QR code and the links in
 * replies use that address when the server listens on every interface (a private IPv4 first,
 * else any other external one). Listening on loopback only, or with no network, it is localhost.
 * @example defaultSiteUrl(8000, '0.0.0.0', { eth0: [{ family: 'IPv4', address: '192.168.1.23', internal: false, … }] })
 *   // 'http://192.168.1.23:8000'
 */
export function defaultSiteUrl(
  port: number,
  host = '0.0.0.0',
  interfaces: Interfaces = os.networkInterfaces(),
): string {
  const at = (address: string) => `http://${address}:${port}`;
  if (host !== '0.0.0.0' && host !== '::') {
    const loopback = host === 'localhost' || host.startsWith('127.') || host === '::1';
    return at(loopback ? 'localhost' : host.includes(':') ? `[${host}]` : host);
  }
  const external = Object.entries(interfaces)
    .filter(([name]) => !VIRTUAL.test(name))
    .flatMap(([, list]) => list ?? [])
    .filter((i) => i.family === 'IPv4' && !i.internal && !i.address.startsWith('169.254.'))
    .map((i) => i.address);
  const address = external.find((a) => PRIVATE.some((p) => p.test(a))) ?? external[0];
  return at(address ?? 'localhost');
}
