// Rank aggregation of proxy components over a population of candidates (AZ-NAS's way of
// combining expressivity, progressivity, trainability and complexity; usable for any set of
// higher-is-better scores).
//
// Per component, candidates are ranked in ascending order of value (1 = lowest, N = highest),
// ties getting the average of the ranks they span (scipy's rankdata 'average'). Per candidate:
// - rankSum = sum of its component ranks;
// - score = sum over components of log(rank / N), AZ-NAS's aggregate (0 for a candidate that is
//   best in every component, more negative the worse it is).
// Both are higher-is-better and need the whole population: adding a candidate can change them.

/** A candidate's components that rank better when lower are passed negated (or via `lowerIsBetter`). */
export interface RankAggregateOptions {
  /** Components ranked in descending order instead (lower value = better rank). */
  readonly lowerIsBetter?: readonly string[];
}

export interface RankAggregate {
  readonly id: string;
  /** Average rank per component (1..N, N = best). */
  readonly ranks: Readonly<Record<string, number>>;
  readonly rankSum: number;
  /** sum over components of log(rank / N). */
  readonly score: number;
}

/** 1-based ascending ranks, ties averaged. -Infinity ranks lowest, +Infinity highest; NaN is refused. */
export function averageRanks(values: readonly number[]): number[] {
  for (const [i, v] of values.entries()) if (Number.isNaN(v)) throw new RangeError(`value ${i} is NaN: it cannot be ranked`);
  const order = values.map((_, i) => i).sort((a, b) => (values[a] as number) - (values[b] as number) || a - b);
  const ranks = new Array<number>(values.length).fill(0);
  let i = 0;
  while (i < order.length) {
    let j = i;
    const v = values[order[i] as number] as number;
    while (j + 1 < order.length && values[order[j + 1] as number] === v) j++;
    // Positions i..j (0-based) share the average of ranks i+1..j+1.
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k] as number] = r;
    i = j + 1;
  }
  return ranks;
}

/**
 * Aggregates components by ranks over the candidates. `scoresByCandidate` maps a candidate id to
 * its components (every candidate must have the same components). Results in input order.
 */
export function rankAggregate(
  scoresByCandidate: ReadonlyMap<string, Readonly<Record<string, number>>> | Readonly<Record<string, Readonly<Record<string, number>>>>,
  opts: RankAggregateOptions = {},
): RankAggregate[] {
  const entries = scoresByCandidate instanceof Map ? [...scoresByCandidate.entries()] : Object.entries(scoresByCandidate);
  if (entries.length === 0) return [];
  const components = Object.keys(entries[0]?.[1] ?? {}).sort();
  if (components.length === 0) throw new RangeError('rankAggregate: candidates have no components');
  for (const [id, c] of entries) {
    const keys = Object.keys(c).sort();
    if (keys.join(',') !== components.join(',')) throw new RangeError(`rankAggregate: candidate ${id} has components ${keys.join(', ')}, expected ${components.join(', ')}`);
  }
  const lower = new Set(opts.lowerIsBetter ?? []);
  const N = entries.length;
  const ranks = new Map<string, number[]>();
  for (const comp of components) {
    const values = entries.map(([, c]) => (lower.has(comp) ? -(c[comp] as number) : (c[comp] as number)));
    ranks.set(comp, averageRanks(values));
  }
  return entries.map(([id], i) => {
    const r: Record<string, number> = {};
    let rankSum = 0;
    let score = 0;
    for (const comp of components) {
      const v = (ranks.get(comp) as number[])[i] as number;
      r[comp] = v;
      rankSum += v;
      score += Math.log(v / N);
    }
    return { id, ranks: r, rankSum, score };
  });
}
