// The proxy-quality report: per proxy, overall and per family, how its scores rank the truth.
import type { Family } from '../space/index.js';
import { quality, type Quality } from './quality.js';
import type { ProxyResult } from './types.js';

export interface ScoredRow {
  readonly name: string;
  readonly family: Family;
  readonly truth: number;
  readonly macs: number;
  readonly results: Readonly<Record<string, ProxyResult>>;
}

export interface ProxyQuality {
  readonly proxy: string;
  readonly higherIsBetter: boolean;
  readonly scored: number;
  /** Failures by kind; failed candidates are left out of this proxy's measures. */
  readonly failures: Readonly<Record<string, number>>;
  readonly overall: Quality;
  readonly perFamily: Readonly<Record<string, Quality>>;
}

/** Measures each proxy on the rows where it succeeded, oriented so that higher is better. */
export function proxyQuality(rows: readonly ScoredRow[], proxies: readonly { name: string; higherIsBetter: boolean }[]): ProxyQuality[] {
  return proxies.map(({ name, higherIsBetter }) => {
    const failures: Record<string, number> = {};
    const ok: { row: ScoredRow; value: number }[] = [];
    for (const row of rows) {
      const r = row.results[name];
      if (r?.ok) ok.push({ row, value: higherIsBetter ? r.value : -r.value });
      else if (r) failures[r.failure] = (failures[r.failure] ?? 0) + 1;
    }
    const measure = (sel: typeof ok): Quality => {
      const q = quality(
        sel.map((x) => x.value),
        sel.map((x) => x.row.truth),
        sel.map((x) => x.row.macs),
      );
      // MAC count against MAC count puts every model on its "front": the measure says nothing there.
      return name === 'macs' ? { ...q, paretoRecovery: NaN } : q;
    };
    const families = [...new Set(ok.map((x) => x.row.family))].sort();
    return {
      proxy: name,
      higherIsBetter,
      scored: ok.length,
      failures,
      overall: measure(ok),
      perFamily: Object.fromEntries(families.map((f) => [f, measure(ok.filter((x) => x.row.family === f))])),
    };
  });
}
