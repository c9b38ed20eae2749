// Prometheus remote write 1.0 on the wire: a prompb.WriteRequest, protobuf-encoded (protobufjs,
// from the proto text below) and snappy block-compressed (snappy-block.ts), as the receiver
// expects with Content-Encoding: snappy.
import protobuf from 'protobufjs';
import { snappyCompress } from './snappy-block.js';
import type { Series } from './series.js';

// The subset of prometheus/prompb/{remote,types}.proto that remote write 1.0 uses; field numbers as upstream.
const PROTO = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }
message Label { string name = 1; string value = 2; }
message Sample { double value = 1; int64 timestamp = 2; }
`;

const WriteRequest = protobuf.parse(PROTO, { keepCase: true }).root.lookupType('prometheus.WriteRequest');

export const REMOTE_WRITE_HEADERS = {
  'Content-Type': 'application/x-protobuf',
  'Content-Encoding': 'snappy',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
} as const;

/** The protobuf bytes of a WriteRequest; labels sorted by name, as the spec requires. */
export function encodeWriteRequest(series: readonly Series[]): Uint8Array {
  const timeseries = series.map((s) => ({
    labels: Object.keys(s.labels)
      .sort()
      .map((name) => ({ name, value: s.labels[name] })),
    samples: [{ value: s.value, timestamp: Math.round(s.timestampMs) }],
  }));
  return WriteRequest.encode(WriteRequest.fromObject({ timeseries })).finish();
}

/** The HTTP body of a remote-write request. */
export function remoteWriteBody(series: readonly Series[]): Buffer {
  return snappyCompress(encodeWriteRequest(series));
}

/** Decodes a body back to series (for tests and fakes that play the receiver). */
export function decodeWriteRequest(bytes: Uint8Array): Series[] {
  const msg = WriteRequest.toObject(WriteRequest.decode(bytes), { longs: Number, defaults: true }) as {
    timeseries: { labels: { name: string; value: string }[]; samples: { value: number; timestamp: number }[] }[];
  };
  return msg.timeseries.flatMap((ts) =>
    ts.samples.map((s) => ({ labels: Object.fromEntries(ts.labels.map((l) => [l.name, l.value])), value: s.value, timestampMs: s.timestamp })),
  );
}
