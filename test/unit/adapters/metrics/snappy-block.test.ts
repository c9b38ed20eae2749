// The pure-TypeScript snappy compressor against the reference decompressor (the `snappy` package,
// Google's C++ snappy compiled as a native addon): whatever it writes must decode to the input.
import fc from 'fast-check';
import { uncompressSync } from 'snappy';
import { describe, expect, it } from 'vitest';
import { maxCompressedLength, snappyCompress } from '../../../../src/adapters/metrics/snappy-block.js';

const roundTrip = (input: Uint8Array): Buffer => uncompressSync(snappyCompress(input), { asBuffer: true }) as Buffer;

describe('snappy block compression (pure TypeScript)', () => {
  it('decodes with the reference decompressor to the input: empty, tiny and edge sizes', () => {
    for (const n of [0, 1, 4, 14, 15, 16, 60, 61, 255, 256, 257, 65535, 65536, 65537, 200_000]) {
      const input = new Uint8Array(n).map((_, i) => (i * 7 + (i >> 5)) & 0xff);
      expect(Buffer.compare(roundTrip(input), Buffer.from(input)), `n=${n}`).toBe(0);
    }
  });

  it('decodes to the input for any bytes, and for inputs made of repeats (the copies)', () => {
    const repeats = fc
      .array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 300 })), { maxLength: 30 })
      .map((parts) => Uint8Array.from(parts.flatMap(([chunk, times]) => Array.from({ length: times }, () => [...chunk]).flat())));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 3000 }), repeats), (input) => {
        const compressed = snappyCompress(input);
        expect(compressed.length).toBeLessThanOrEqual(maxCompressedLength(input.length));
        expect(Buffer.compare(uncompressSync(compressed, { asBuffer: true }) as Buffer, Buffer.from(input))).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('compresses what repeats: long runs, far and near copies, across the 64 KiB blocks', () => {
    const text = Buffer.from(
      Array.from({ length: 3000 }, (_, i) => `locust_driver_sample_rps{run_id="nightly",stage="s${i % 24}",users="${(i % 3) * 200}"} ${i}\n`).join(''),
    );
    expect(text.length).toBeGreaterThan(3 * 65536);
    const compressed = snappyCompress(text);
    expect(compressed.length).toBeLessThan(text.length / 4);
    expect(Buffer.compare(uncompressSync(compressed, { asBuffer: true }) as Buffer, text)).toBe(0);
    const zeros = new Uint8Array(100_000);
    expect(snappyCompress(zeros).length).toBeLessThan(6000);
    expect(Buffer.compare(roundTrip(zeros), Buffer.from(zeros))).toBe(0);
  });
});
