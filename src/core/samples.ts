// Long runs must not grow the driver's memory with every sample: once a stage's samples.csv is on
// disk (all of them), the run record keeps an evenly spaced subset for run.json and report.html.
import type { Sample } from './model.js';

/** Samples a finished stage keeps in memory and in run.json; samples.csv keeps every one. */
export const KEPT_SAMPLES_PER_STAGE = 1_000;

/** At most `max` samples, evenly spaced, always the first and the last; the same array when it fits. */
export function thinSamples(samples: Sample[], max = KEPT_SAMPLES_PER_STAGE): Sample[] {
  if (samples.length <= max) return samples;
  if (max < 2) return samples.slice(-Math.max(0, max));
  const step = (samples.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => samples[Math.round(i * step)] as Sample);
}
