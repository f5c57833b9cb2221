import { describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../../src/http/address.js';

describe('isPrivateAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback, end of the block'],
    ['10.0.0.5', 'RFC1918 10/8'],
    ['172.16.0.1', 'RFC1918 172.16/12 start'],
    ['172.31.255.255', 'RFC1918 172.16/12 end'],
    ['192.168.1.20', 'RFC1918 192.168/16'],
    ['100.64.0.1', 'CGNAT start'],
    ['100.127.255.255', 'CGNAT end'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.0.1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'this network'],
    ['224.0.0.251', 'multicast (mDNS)'],
    ['239.255.255.250', 'multicast (SSDP)'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.10', 'TEST-NET-1'],
    ['198.18.0.1', 'benchmarking'],
  ])('refuses IPv4 %s (%s)', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each([
    ['8.8.8.8'],
    ['1.1.1.1'],
    ['93.184.216.34'],
    ['172.15.255.255'], // just below 172.16/12
    ['172.32.0.1'], // just above it
    ['100.63.255.255'], // just below CGNAT
    ['100.128.0.1'], // just above it
    ['169.253.1.1'],
    ['192.169.0.1'],
    ['223.255.255.254'], // last unicast before multicast
    ['185.143.232.10'],
  ])('allows public IPv4 %s', (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });

  it.each([
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback, long form'],
    ['::', 'unspecified'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local fd00::/8'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local with zone'],
    ['febf::1', 'link-local, end of fe80::/10'],
    ['fec0::1', 'site-local (deprecated)'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex form'],
    ['::FFFF:7F00:0001', 'IPv4-mapped loopback, upper case'],
    ['0:0:0:0:0:ffff:a00:5', 'IPv4-mapped 10.0.0.5, long form'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['::ffff:0:10.0.0.1', 'IPv4-translated private'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['::8.8.8.8', 'IPv4-compatible (deprecated, refused whatever it embeds)'],
    ['64:ff9b::7f00:1', 'NAT64 of loopback'],
    ['64:ff9b::10.1.2.3', 'NAT64 of RFC1918'],
    ['64:ff9b:1::8.8.8.8', 'local-use NAT64'],
    ['2002:7f00:1::1', '6to4 of loopback'],
    ['2002:c0a8:101::', '6to4 of 192.168.1.1'],
    ['2001:0:4136:e378::1', 'Teredo'],
    ['2001:db8::1', 'documentation'],
    ['100::1', 'discard-only'],
    ['[::1]', 'bracketed loopback'],
  ])('refuses IPv6 %s (%s)', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each([
    ['2001:4860:4860::8888'],
    ['2606:4700:4700::1111'],
    ['2a00:1450:4001:82a::200e'],
    ['::ffff:8.8.8.8'], // mapped public: Node reports dual-stack peers this way
    ['::ffff:808:808'],
    ['64:ff9b::8.8.8.8'], // NAT64 of a public address, as DNS64 networks resolve every site
    ['2002:808:808::1'], // 6to4 of a public address
  ])('allows public IPv6 %s', (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });

  it.each([
    ['localhost'],
    ['example.com'],
    [''],
    ['127.1'], // shorthand that URL parsers expand; not an address here
    ['0x7f.0.0.1'],
    ['2130706433'],
    ['256.1.1.1'],
    ['01.2.3.4'],
    ['1.2.3'],
    ['1::2::3'],
    ['1:2:3:4:5:6:7:8:9'],
    ['12345::1'],
    ['::ffff:999.1.1.1'],
  ])('treats non-addresses as private (fail closed): %j', (text) => {
    expect(isPrivateAddress(text)).toBe(true);
  });
});
