import fc from 'fast-check';
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js';
import { utf8 } from '../../src/core/bytes';
import { encodeCanonical } from '../../src/canon/cbor';
import { base32 } from 'multiformats/bases/base32';
import { base32Text, eventCid, parseEventCid } from '../../src/canon/cid';

/** RFC 4648 base32, lowercase, no padding: written here independently of multiformats. */
function base32Lower(bytes: Uint8Array): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * The CID assembled by hand: varint(1) = 0x01, varint(0x71) = 0x71 (one byte,
 * below 0x80), varint(0x1e) = 0x1e, digest length 32 = 0x20, the digest; then
 * multibase 'b' + base32.
 */
function handCid(bytes: Uint8Array): string {
  const digest = nobleBlake3(bytes);
  return `b${base32Lower(Uint8Array.from([0x01, 0x71, 0x1e, 0x20, ...digest]))}`;
}

describe('eventCid', () => {
  it('matches a CID assembled by hand', () => {
    const envelope = encodeCanonical({ type: 'demo.created', ulid: '01HZX0000000000000000000', actor: 'user:alice', payload: { n: 1 } });
    expect(eventCid(envelope)).toBe(handCid(envelope));
  });

  it('has the CIDv1 dag-cbor blake3 prefix', () => {
    // 01 71 1e 20 in base32 begins "afyr4i".
    expect(eventCid(new Uint8Array(0))).toMatch(/^bafyr4i[a-z2-7]{52}$/);
  });

  it('agrees with the hand-assembled CID on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => eventCid(b) === handCid(b)), { numRuns: 300 });
  });

  it('is different for different bytes', () => {
    expect(eventCid(utf8('a'))).not.toBe(eventCid(utf8('b')));
  });
});

describe('base32Text', () => {
  it('writes what multiformats\' base32 and the independent writer above write, at every length to 100 bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
      expect(base32Text(bytes)).toBe(base32.encode(bytes).slice(1));
      expect(base32Text(bytes)).toBe(base32Lower(bytes));
    }), { numRuns: 1000 });
    expect(base32Text(new Uint8Array(0))).toBe('');
    expect(base32Text(new Uint8Array(100).fill(255))).toBe(base32Lower(new Uint8Array(100).fill(255)));
  });
});

describe('parseEventCid', () => {
  const text = eventCid(utf8('event'));

  it('parses what eventCid writes and returns the digest', () => {
    const r = parseEventCid(text);
    expect(r.ok && Buffer.from(r.value.digest).toString('hex')).toBe(Buffer.from(nobleBlake3(utf8('event'))).toString('hex'));
  });

  it.each([
    ['uppercase', () => text.toUpperCase(), /lowercase base32/],
    ['another multibase (base58btc z...)', () => 'zdpuAtX7ZibcWdSKQwiDCkPjWwRvtcKCPku9H7LhgA4qJW4Wk', /expected 'b'/],
    ['a sha2-256 CID', () => 'bafyreihdb57fdysx5h35urvxz64ros7zvywshber7id6t6c6fek37jgyfe', /its hash is 0x12, expected blake3/],
    ['a raw-codec CID', () => `b${base32Lower(Uint8Array.from([0x01, 0x55, 0x1e, 0x20, ...new Uint8Array(32)]))}`, /codec is 0x55/],
    ['a short digest', () => `b${base32Lower(Uint8Array.from([0x01, 0x71, 0x1e, 0x10, ...new Uint8Array(16)]))}`, /16 bytes, expected 32/],
    ['a truncated CID', () => text.slice(0, -4), /not an Event-CID/],
    ['whitespace', () => `${text} `, /lowercase base32/],
    ['empty', () => '', /lowercase base32/],
    // 36 bytes take 58 base32 characters with 2 spare bits, which must be zero.
    ['non-zero spare bits in the last character', () => text.slice(0, -1) + 'abcdefghijklmnopqrstuvwxyz234567'['abcdefghijklmnopqrstuvwxyz234567'.indexOf(text.slice(-1)) | 1], /not an Event-CID/],
  ])('refuses %s', (_what, make, pattern) => {
    const r = parseEventCid(make());
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('VALUE_INVALID');
      expect(r.error.message).toMatch(pattern);
    }
  });
});
