// Median and quartiles of repeated timings (linear interpolation between order statistics, as
// numpy's default), so a latency always travels with its spread.
import type { Spread } from './types.js';

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? NaN;
  const b = sorted[hi] ?? NaN;
  return a + (b - a) * (pos - lo);
}

export function spreadOf(samples: readonly number[]): Spread {
  if (samples.length === 0) throw new RangeError('spreadOf: no samples');
  const s = [...samples].sort((a, b) => a - b);
  const q1 = quantile(s, 0.25);
  const q3 = quantile(s, 0.75);
  return { median: quantile(s, 0.5), q1, q3, iqr: q3 - q1, min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN, repeats: s.length };
}

/** A single predicted value, spread-free. */
export function pointSpread(value: number): Spread {
  return { median: value, q1: value, q3: value, iqr: 0, min: value, max: value, repeats: 0 };
}
