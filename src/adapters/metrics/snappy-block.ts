// A snappy *block format* compressor in plain TypeScript: what Prometheus remote write 1.0 expects
// with Content-Encoding: snappy (https://github.com/google/snappy/blob/main/format_description.txt).
// It replaces the `snappy` npm package (a native addon a bundle cannot inline, and a
// platform-specific binary in the image) for the one thing the driver needs: compressing a few
// kilobytes of protobuf per request. Only compression: the receiver decompresses. The tests check
// it against the reference decompressor (the `snappy` package, a dev dependency) and a real
// Prometheus (test/integration/remote-write.test.ts).
//
// The encoder is the reference one, simplified: the input in blocks of 64 KiB (so every copy's
// offset fits two bytes), a hash table of the 4-byte sequences seen in the block, a copy wherever
// the 4 bytes at the cursor were seen before, literals in between.

const BLOCK = 1 << 16;
const HASH_BITS = 14;
/** Below this a block is one literal: too short for a match to pay. */
const MIN_MATCH_INPUT = 15;

/** Upper bound of the compressed size (the reference's MaxCompressedLength). */
export function maxCompressedLength(n: number): number {
  return 32 + n + Math.ceil(n / 6);
}

export function snappyCompress(input: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(maxCompressedLength(input.length));
  let o = putVarint(out, 0, input.length);
  const table = new Int32Array(1 << HASH_BITS);
  for (let start = 0; start < input.length; start += BLOCK) {
    o = compressBlock(input, start, Math.min(start + BLOCK, input.length), table, out, o);
  }
  return out.subarray(0, o);
}

function putVarint(out: Uint8Array, o: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    out[o++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  out[o++] = v;
  return o;
}

const load32 = (b: Uint8Array, i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
const hash = (x: number): number => Math.imul(x, 0x1e35a7bd) >>> (32 - HASH_BITS);

function compressBlock(src: Uint8Array, start: number, end: number, table: Int32Array, out: Uint8Array, o: number): number {
  if (end - start < MIN_MATCH_INPUT) return emitLiteral(src, start, end, out, o);
  // Positions are absolute; one seen in an earlier block is < start and never used, so the table
  // needs no clearing and every offset stays below 64 KiB.
  table.fill(-1);
  let literalStart = start;
  let i = start;
  const last = end - 4; // the last position with 4 bytes to hash
  while (i <= last) {
    const word = load32(src, i);
    const h = hash(word);
    const candidate = table[h]!;
    table[h] = i;
    if (candidate < start || load32(src, candidate) !== word) {
      i++;
      continue;
    }
    o = emitLiteral(src, literalStart, i, out, o);
    let length = 4;
    while (i + length < end && src[candidate + length] === src[i + length]) length++;
    o = emitCopy(i - candidate, length, out, o);
    i += length;
    literalStart = i;
  }
  return emitLiteral(src, literalStart, end, out, o);
}

function emitLiteral(src: Uint8Array, from: number, to: number, out: Uint8Array, o: number): number {
  const n = to - from;
  if (n === 0) return o;
  const m = n - 1;
  if (m < 60) {
    out[o++] = m << 2;
  } else if (m < 1 << 8) {
    out[o++] = 60 << 2;
    out[o++] = m;
  } else {
    // A literal never exceeds a block (64 KiB), so two length bytes always suffice.
    out[o++] = 61 << 2;
    out[o++] = m & 0xff;
    out[o++] = m >>> 8;
  }
  out.set(src.subarray(from, to), o);
  return o + n;
}

/** A copy of `length` bytes from `offset` back (1 ≤ offset < 64 KiB, length ≥ 4). */
function emitCopy(offset: number, length: number, out: Uint8Array, o: number): number {
  let left = length;
  // A two-byte-offset copy holds at most 64 bytes; keep at least 4 for the last one.
  while (left >= 68) {
    o = copy2(offset, 64, out, o);
    left -= 64;
  }
  if (left > 64) {
    o = copy2(offset, 60, out, o);
    left -= 60;
  }
  if (left >= 12 || offset >= 2048) return copy2(offset, left, out, o);
  // One offset byte: lengths 4..11, offsets below 2048.
  out[o++] = 1 | ((left - 4) << 2) | ((offset >>> 8) << 5);
  out[o++] = offset & 0xff;
  return o;
}

function copy2(offset: number, length: number, out: Uint8Array, o: number): number {
  out[o++] = 2 | ((length - 1) << 2);
  out[o++] = offset & 0xff;
  out[o++] = offset >>> 8;
  return o;
}
