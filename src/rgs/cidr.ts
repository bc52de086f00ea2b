/**
 * IPv4 and IPv6 addresses and CIDR blocks, parsed strictly (no leading zeros
 * in IPv4 octets, no zone ids). An address matches only blocks of its own
 * family; IPv4-mapped IPv6 addresses are not unwrapped.
 */

export interface Cidr {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

/** An IPv4 or IPv6 address's bytes, or undefined. A policy tests the same client_ip against several blocks per request: Frame.ipOf keeps the last one per evaluation. */
export function parseIp(text: string): Uint8Array | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

/**
 * Four dot-separated decimal octets, each `0` or without a leading zero, at
 * most 255. Scanned by character code: the split-and-regex form was the
 * costliest step of an in_cidr test.
 */
function parseIpv4(text: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || part === 3) return undefined;
      out[part++] = value;
      value = 0;
      digits = 0;
      continue;
    }
    if (c < 0x30 || c > 0x39) return undefined;
    if (digits > 0 && value === 0) return undefined;
    value = value * 10 + (c - 0x30);
    if (++digits > 3 || value > 255) return undefined;
  }
  if (part !== 3 || digits === 0) return undefined;
  out[3] = value;
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] as string;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return undefined;
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
      out.push(parseInt(p, 16));
    }
    return out;
  };
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

export type CidrParse = { ok: true; cidr: Cidr } | { ok: false; message: string; hint: string };

export function parseCidr(text: string): CidrParse {
  const slash = text.indexOf('/');
  const addr = parseIp(slash < 0 ? text : text.slice(0, slash));
  const bad = { ok: false as const, message: `'${text}' is not a CIDR block`, hint: "write an address and a prefix length, e.g. '10.0.0.0/8' or 'fd00::/8'" };
  if (!addr || slash < 0) return bad;
  const prefixText = text.slice(slash + 1);
  if (!/^(?:0|[1-9][0-9]{0,2})$/.test(prefixText)) return bad;
  const prefix = Number(prefixText);
  if (prefix > addr.length * 8) return { ok: false, message: `prefix /${prefix} is longer than the address (${addr.length * 8} bits)`, hint: bad.hint };
  if (!hostBitsZero(addr, prefix)) {
    return { ok: false, message: `'${text}' has host bits set below the /${prefix} prefix`, hint: `write the network address of the block, e.g. '${formatNetwork(addr, prefix)}/${prefix}'` };
  }
  return { ok: true, cidr: { bytes: addr, prefix } };
}

function hostBitsZero(addr: Uint8Array, prefix: number): boolean {
  for (let bit = prefix; bit < addr.length * 8; bit++) {
    if (((addr[bit >> 3] as number) >> (7 - (bit & 7))) & 1) return false;
  }
  return true;
}

function formatNetwork(addr: Uint8Array, prefix: number): string {
  const net = addr.slice();
  for (let bit = prefix; bit < net.length * 8; bit++) net[bit >> 3] = (net[bit >> 3] as number) & ~(1 << (7 - (bit & 7)));
  if (net.length === 4) return Array.from(net).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((net[i] as number) << 8) | (net[i + 1] as number)).toString(16));
  return groups.join(':');
}

export function ipInCidr(ip: Uint8Array, cidr: Cidr): boolean {
  if (ip.length !== cidr.bytes.length) return false;
  const full = cidr.prefix >> 3;
  for (let i = 0; i < full; i++) if (ip[i] !== cidr.bytes[i]) return false;
  const rest = cidr.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (((ip[full] as number) ^ (cidr.bytes[full] as number)) & mask) === 0;
}
