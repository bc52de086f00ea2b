/**
 * DAG-CBOR fixtures from ipld/codec-fixtures (../shared/vectors/dag-cbor):
 * each block decodes strictly and re-encodes to the same bytes, and its
 * CIDv1 (dag-cbor 0x71, sha2-256 0x12) in base32 is the published one.
 */
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { fromHexLoose, toHex } from '../../src/core/bytes';
import { decodeStrict, encodeCanonical } from '../../src/canon/cbor';
import { sha256 } from '../../src/canon/digest';
import { describeWithVectors, readVectorJson, reportCount } from '../helpers/vectors';

interface Fixture {
  readonly name: string;
  readonly cid: string;
  readonly hex: string;
}

interface NegativeFixture {
  readonly name: string;
  readonly hex: string;
  readonly error: string;
}

const DAG_CBOR = 0x71;
const SHA2_256 = 0x12;

describeWithVectors('DAG-CBOR vectors (ipld/codec-fixtures)', () => {
  it('round-trips every fixture byte for byte and reproduces its CID', () => {
    const fixtures = readVectorJson<Fixture[]>('dag-cbor', 'fixtures-dag-cbor.json');
    const failures: string[] = [];
    let roundTrips = 0;
    let cids = 0;
    for (const f of fixtures) {
      const bytes = fromHexLoose(f.hex);
      const decoded = decodeStrict(bytes, f.name);
      if (!decoded.ok) {
        failures.push(`${f.name}: ${decoded.error.message}`);
        continue;
      }
      if (toHex(encodeCanonical(decoded.value)) === f.hex.toLowerCase()) roundTrips++;
      else failures.push(`${f.name}: re-encoding differs`);
      const cid = CID.createV1(DAG_CBOR, Digest.create(SHA2_256, sha256(bytes))).toString();
      if (cid === f.cid) cids++;
      else failures.push(`${f.name}: cid ${cid} != ${f.cid}`);
    }
    reportCount('dag-cbor fixtures byte-exact round trips', roundTrips, fixtures.length);
    reportCount('dag-cbor fixture CIDs (CIDv1 dag-cbor sha2-256)', cids, fixtures.length);
    expect(failures).toEqual([]);
    expect(fixtures.length).toBe(128);
  });

  it('rejects the duplicate-key negative fixture', () => {
    const negatives = readVectorJson<NegativeFixture[]>('dag-cbor', 'negative-fixtures', 'dag-cbor', 'decode', 'duplicate-keys.json');
    let rejected = 0;
    for (const n of negatives) {
      const r = decodeStrict(fromHexLoose(n.hex), n.name);
      if (!r.ok && /twice/.test(r.error.message)) rejected++;
      // The published error names the key; ours does too.
      expect(!r.ok && r.error.message).toContain('"foo"');
    }
    reportCount('dag-cbor negative fixtures rejected (duplicate keys)', rejected, negatives.length);
    expect(rejected).toBe(negatives.length);
    expect(negatives.length).toBeGreaterThan(0);
  });
});
