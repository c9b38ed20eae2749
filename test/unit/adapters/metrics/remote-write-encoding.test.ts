import { uncompressSync } from 'snappy';
import { describe, expect, it } from 'vitest';
import { decodeWriteRequest, encodeWriteRequest, remoteWriteBody } from '../../../../src/adapters/metrics/remote-write-encoding.js';
import type { Series } from '../../../../src/adapters/metrics/series.js';

const series: Series[] = [
  { labels: { run_id: 'r1', __name__: 'locust_driver_stage_rps', stage: 'light', Zeta: 'z' }, value: 42.5, timestampMs: 1_764_000_000_123 },
  { labels: { __name__: 'locust_driver_stage_requests', run_id: 'r1' }, value: 1000, timestampMs: 1_764_000_000_456 },
];

describe('remote write 1.0 encoding', () => {
  it('round-trips through protobuf and snappy: values, millisecond timestamps (int64) and labels', () => {
    const decoded = decodeWriteRequest(uncompressSync(remoteWriteBody(series), { asBuffer: true }) as Buffer);
    expect(decoded).toEqual(series.map((s) => ({ ...s, labels: s.labels })));
  });

  it('sorts the labels by name, as the receiver requires (__name__ between upper and lower case)', () => {
    // Re-encoding with the decoder's order shows the wire order: decode keeps it.
    const wire = decodeWriteRequest(encodeWriteRequest(series));
    expect(Object.keys(wire[0]!.labels)).toEqual(['Zeta', '__name__', 'run_id', 'stage']);
  });

  it('is the snappy block format (what Prometheus decodes), not the framed stream', () => {
    const body = remoteWriteBody(series);
    expect(body[0]).not.toBe(0xff); // a framed stream starts with the 0xff stream identifier
    expect(uncompressSync(body, { asBuffer: true })).toEqual(Buffer.from(encodeWriteRequest(series)));
  });
});
