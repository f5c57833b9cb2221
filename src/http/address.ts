/**
 * Address classification for the SSRF guard. Pure: parses text, never resolves names.
 */

/** Parses strict dotted-decimal IPv4 (`10.0.0.5`); shorthand forms like `127.1` are not addresses here. */
function parseIPv4(text: string): [number, number, number, number] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const octets: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    octets.push(value);
  }
  return octets as [number, number, number, number];
}

/** Parses IPv6 text (with `::`, an embedded dotted quad, a zone id or brackets) into eight 16-bit groups. */
function parseIPv6(text: string): number[] | undefined {
  let s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (s.includes('.')) {
    const lastColon = s.lastIndexOf(':');
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (lastColon < 0 || !v4) return undefined;
    const high = ((v4[0] << 8) | v4[1]).toString(16);
    const low = ((v4[2] << 8) | v4[3]).toString(16);
    s = `${s.slice(0, lastColon + 1)}${high}:${low}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups: number[] = [];
    for (const group of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
      groups.push(parseInt(group, 16));
    }
    return groups;
  };
  const head = toGroups(halves[0] ?? '');
  if (!head) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const tail = toGroups(halves[1] ?? '');
  if (!tail || head.length + tail.length > 7) return undefined;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

function isPrivateIPv4([a, b, c]: [number, number, number, number]): boolean {
  return (
    a === 0 || // "this network", includes the unspecified 0.0.0.0
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // CGNAT 100.64/10
    (a === 169 && b === 254) || // link-local, where cloud metadata services live
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) || // IETF assignments, TEST-NET-1
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113) ||
    a >= 224 // multicast, reserved 240/4 and the broadcast address
  );
}

function embeddedIPv4(high: number, low: number): [number, number, number, number] {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff];
}

function isPrivateIPv6(g: number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const zeroTo = (n: number): boolean => g.slice(0, n).every((x) => x === 0);
  // Forms that carry an IPv4 address reach that address: judge the IPv4 one.
  if (zeroTo(5) && g5 === 0xffff) return isPrivateIPv4(embeddedIPv4(g6, g7)); // ::ffff:a.b.c.d (mapped)
  if (zeroTo(4) && g4 === 0xffff && g5 === 0) return isPrivateIPv4(embeddedIPv4(g6, g7)); // ::ffff:0:a.b.c.d (translated)
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return isPrivateIPv4(embeddedIPv4(g6, g7)); // NAT64
  if (g0 === 0x2002) return isPrivateIPv4(embeddedIPv4(g1, g2)); // 6to4
  if (g0 === 0x2001 && g1 === 0) return true; // Teredo: the real endpoint is hidden, refuse
  if (g0 === 0x2001 && g1 === 0xdb8) return true; // documentation
  if (g0 === 0x2001 && ((g1 & 0xfff0) === 0x0010 || (g1 & 0xfff0) === 0x0020)) return true; // ORCHID, ORCHIDv2
  // Only 2000::/3 is global unicast. Everything else is refused: ::, ::1, IPv4-compatible ::a.b.c.d,
  // 64:ff9b:1::/48 (local NAT64), 100::/64, fc00::/7, fe80::/10, fec0::/10, ff00::/8.
  return (g0 & 0xe000) !== 0x2000;
}

/**
 * True when `ip` must not be fetched from an untrusted URL: loopback, private, CGNAT, link-local, unique-local,
 * multicast, unspecified, broadcast, reserved, and IPv6 forms that embed such an IPv4 address. Text that is not a
 * valid IPv4 or IPv6 address is treated as private (fail closed).
 */
export function isPrivateAddress(ip: string): boolean {
  const v4 = parseIPv4(ip);
  if (v4) return isPrivateIPv4(v4);
  const v6 = parseIPv6(ip);
  if (v6) return isPrivateIPv6(v6);
  return true;
}
