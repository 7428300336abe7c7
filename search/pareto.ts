// Pareto utilities for minimisation: dominance (with constraint violations, after Deb), fast
// non-dominated sorting, crowding distance, and exact hypervolume against a reference point.

/** Objectives to minimise (negate the ones to maximise) and the total constraint violation (0 = feasible). */
export interface Evaluated {
  readonly objectives: readonly number[];
  readonly violation: number;
}

/** a dominates b: feasible beats infeasible, less violation beats more, else Pareto dominance. */
export function dominates(a: Evaluated, b: Evaluated): boolean {
  if (a.violation > 0 || b.violation > 0) return a.violation < b.violation;
  let strictly = false;
  for (let i = 0; i < a.objectives.length; i++) {
    const x = a.objectives[i] ?? Infinity;
    const y = b.objectives[i] ?? Infinity;
    if (x > y) return false;
    if (x < y) strictly = true;
  }
  return strictly;
}

/** Fronts of indices, best first (Deb et al.'s fast non-dominated sort, O(M N^2)). */
export function nonDominatedSort(items: readonly Evaluated[]): number[][] {
  const n = items.length;
  const dominatedBy: number[][] = Array.from({ length: n }, () => []);
  const count = new Array<number>(n).fill(0);
  const fronts: number[][] = [[]];
  for (let p = 0; p < n; p++) {
    for (let q = p + 1; q < n; q++) {
      const a = items[p] as Evaluated;
      const b = items[q] as Evaluated;
      if (dominates(a, b)) {
        dominatedBy[p]?.push(q);
        count[q] = (count[q] ?? 0) + 1;
      } else if (dominates(b, a)) {
        dominatedBy[q]?.push(p);
        count[p] = (count[p] ?? 0) + 1;
      }
    }
  }
  for (let p = 0; p < n; p++) if (count[p] === 0) fronts[0]?.push(p);
  for (let i = 0; (fronts[i]?.length ?? 0) > 0; i++) {
    const next: number[] = [];
    for (const p of fronts[i] ?? [])
      for (const q of dominatedBy[p] ?? []) {
        count[q] = (count[q] ?? 0) - 1;
        if (count[q] === 0) next.push(q);
      }
    fronts.push(next);
  }
  return fronts.filter((f) => f.length > 0);
}

/** Crowding distance of each member of one front (boundary points get Infinity). */
export function crowdingDistance(items: readonly Evaluated[], front: readonly number[]): Map<number, number> {
  const d = new Map<number, number>(front.map((i) => [i, 0]));
  const m = items[front[0] ?? 0]?.objectives.length ?? 0;
  for (let k = 0; k < m; k++) {
    const sorted = [...front].sort((a, b) => (items[a]?.objectives[k] ?? 0) - (items[b]?.objectives[k] ?? 0) || a - b);
    const lo = items[sorted[0] ?? 0]?.objectives[k] ?? 0;
    const hi = items[sorted[sorted.length - 1] ?? 0]?.objectives[k] ?? 0;
    d.set(sorted[0] ?? 0, Infinity);
    d.set(sorted[sorted.length - 1] ?? 0, Infinity);
    if (hi === lo) continue;
    for (let j = 1; j < sorted.length - 1; j++) {
      const i = sorted[j] as number;
      const gap = ((items[sorted[j + 1] ?? 0]?.objectives[k] ?? 0) - (items[sorted[j - 1] ?? 0]?.objectives[k] ?? 0)) / (hi - lo);
      d.set(i, (d.get(i) ?? 0) + gap);
    }
  }
  return d;
}

/**
 * Hypervolume dominated by `points` (minimisation) and bounded by `reference`: exact, by slicing
 * along the first objective and recursing (fine for the 2-4 objectives of a search).
 */
export function hypervolume(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const inside = points.filter((p) => p.every((v, i) => v < (reference[i] ?? -Infinity)));
  return hv(inside.map((p) => [...p]), [...reference]);
}

function hv(points: number[][], ref: number[]): number {
  if (points.length === 0) return 0;
  if (ref.length === 1) return (ref[0] ?? 0) - Math.min(...points.map((p) => p[0] ?? Infinity));
  if (ref.length === 2) {
    const sorted = [...points].sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
    let area = 0;
    let bestY = ref[1] ?? 0;
    for (let i = 0; i < sorted.length; i++) {
      const [x = 0, y = 0] = sorted[i] as number[];
      if (y < bestY) {
        area += ((ref[0] ?? 0) - x) * (bestY - y);
        bestY = y;
      }
    }
    return area;
  }
  // Slice along the last objective: between consecutive levels, the points at or below the level
  // dominate a (d-1)-dimensional hypervolume.
  const d = ref.length - 1;
  const levels = [...new Set(points.map((p) => p[d] ?? 0))].sort((a, b) => a - b);
  let volume = 0;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as number;
    const top = i + 1 < levels.length ? (levels[i + 1] as number) : (ref[d] as number);
    const slice = points.filter((p) => (p[d] ?? 0) <= level).map((p) => p.slice(0, d));
    volume += hv(slice, ref.slice(0, d)) * (top - level);
  }
  return volume;
}
