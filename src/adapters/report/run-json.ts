// run.json: the whole RunRecord, the machine-readable source every other report can be rebuilt from.
import type { RunRecord } from '../../core/model.js';

export function runJson(run: RunRecord): string {
  return JSON.stringify(run, null, 2) + '\n';
}

/**
 * The same bytes as runJson(), piece by piece: the record without its stages, each stage without its
 * samples, the samples 500 at a time. Every string made is small and dies young, so writing a long
 * run's run.json does not need the whole text (tens of MB for a day of samples) in memory at once.
 */
export function* runJsonChunks(run: RunRecord): Generator<string> {
  yield* around(run as unknown as Record<string, unknown>, 'stages', '', function* () {
    for (let i = 0; i < run.stages.length; i++) {
      const stage = run.stages[i] as unknown as Record<string, unknown> & { samples: unknown[] };
      yield `${i === 0 ? '' : ','}\n    `;
      yield* around(stage, 'samples', '    ', function* () {
        for (let k = 0; k < stage.samples.length; k += 500) {
          const part = stage.samples.slice(k, k + 500).map((x) => indent(JSON.stringify(x, null, 2), '        '));
          yield `${k === 0 ? '' : ','}\n        ${part.join(',\n        ')}`;
        }
        return stage.samples.length;
      });
    }
    return run.stages.length;
  });
  yield '\n';
}

const indent = (text: string, pad: string) => text.replace(/\n/g, `\n${pad}`);

/** `obj` as JSON.stringify(obj, null, 2) at depth `pad`, its array `key` written by `each` (which returns its length). */
function* around(obj: Record<string, unknown>, key: string, pad: string, each: () => Generator<string, number>): Generator<string> {
  // The object with the array replaced by a marker no run text can contain, keys in their order.
  const token = `@@locust-driver-${key}-${Math.random().toString(36).slice(2)}@@`;
  const text = indent(JSON.stringify(Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, k === key ? token : v])), null, 2), pad);
  const mark = `"${token}"`;
  const at = text.indexOf(mark);
  yield `${text.slice(0, at)}[`;
  const n = yield* each();
  yield `${n > 0 ? `\n${pad}  ` : ''}]${text.slice(at + mark.length)}`;
}
