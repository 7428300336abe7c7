import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../nn/index.js';
import { crowdingDistance, dominates, firstFront, hypervolume, initialPopulation, nonDominatedSort, nsga2Step, type Nsga2Problem } from '../../search/index.js';

describe('Pareto utilities', () => {
  it('dominance, with infeasible candidates always behind feasible ones', () => {
    expect(dominates({ objectives: [1, 1], violation: 0 }, { objectives: [2, 1], violation: 0 })).toBe(true);
    expect(dominates({ objectives: [1, 2], violation: 0 }, { objectives: [2, 1], violation: 0 })).toBe(false);
    expect(dominates({ objectives: [1, 1], violation: 0 }, { objectives: [1, 1], violation: 0 })).toBe(false);
    expect(dominates({ objectives: [9, 9], violation: 0 }, { objectives: [0, 0], violation: 0.1 })).toBe(true);
    expect(dominates({ objectives: [9, 9], violation: 0.1 }, { objectives: [0, 0], violation: 0.2 })).toBe(true);
  });

  it('non-dominated sorting and crowding on a hand-made set', () => {
    const pts = [[1, 5], [2, 3], [4, 1], [3, 4], [5, 5], [2, 2]].map((o) => ({ objectives: o, violation: 0 }));
    // front 0: (1,5), (2,2), (4,1); front 1: (2,3); front 2: (3,4); front 3: (5,5)
    expect(nonDominatedSort(pts).map((f) => [...f].sort())).toEqual([[0, 2, 5], [1], [3], [4]]);
    const d = crowdingDistance(pts, [0, 5, 2]);
    expect(d.get(0)).toBe(Infinity);
    expect(d.get(2)).toBe(Infinity);
    // middle point (2,2): (4-1)/(4-1) + (5-1)/(5-1) = 2
    expect(d.get(5)).toBeCloseTo(2, 12);
  });

  it('hypervolume: rectangles by hand in 2 and 3 dimensions', () => {
    expect(hypervolume([[1, 1]], [2, 2])).toBe(1);
    // staircase (0,2), (1,1), (2,0) under (3,3): 3*1 + 2*1 + 1*1 = 6
    expect(hypervolume([[0, 2], [1, 1], [2, 0]], [3, 3])).toBeCloseTo(6, 12);
    expect(hypervolume([[0, 0, 0]], [1, 2, 3])).toBeCloseTo(6, 12);
    // two boxes [0,2]x[0,1]x[0,1] and [0,1]x[0,2]x[0,1] (within ref 2,2,1): union 2 + 2 - 1 = 3
    expect(hypervolume([[0, 1, 0], [1, 0, 0]], [2, 2, 1])).toBeCloseTo(3, 12);
    expect(hypervolume([[5, 5]], [2, 2])).toBe(0);
  });
});

/** ZDT1 (Zitzler, Deb, Thiele 2000): 30 variables in [0, 1]; front f2 = 1 - sqrt(f1). */
function zdt1(constraint?: number): Nsga2Problem<number[]> {
  const n = 30;
  const etaC = 15;
  const etaM = 20;
  const clamp = (v: number): number => Math.min(1, Math.max(0, v));
  return {
    random: (rng: Rng) => Array.from({ length: n }, () => rng.next()),
    crossover(a, b, rng) {
      // Simulated binary crossover, one child.
      return a.map((x, i) => {
        const y = b[i] ?? x;
        if (rng.next() > 0.5) return x;
        const u = rng.next();
        const beta = u <= 0.5 ? (2 * u) ** (1 / (etaC + 1)) : (1 / (2 * (1 - u))) ** (1 / (etaC + 1));
        return clamp(0.5 * ((1 + beta) * x + (1 - beta) * y));
      });
    },
    mutate(x, rng) {
      // Polynomial mutation with probability 1/n per variable.
      return x.map((v) => {
        if (rng.next() >= 1 / n) return v;
        const u = rng.next();
        const delta = u < 0.5 ? (2 * u) ** (1 / (etaM + 1)) - 1 : 1 - (2 * (1 - u)) ** (1 / (etaM + 1));
        return clamp(v + delta);
      });
    },
    evaluate(x) {
      const f1 = x[0] ?? 0;
      const g = 1 + (9 * x.slice(1).reduce((s, v) => s + v, 0)) / (n - 1);
      const f2 = g * (1 - Math.sqrt(f1 / g));
      return { objectives: [f1, f2], violation: constraint === undefined ? 0 : Math.max(0, constraint - f1) };
    },
  };
}

function run(problem: Nsga2Problem<number[]>, seed: number, generations: number): ReturnType<typeof firstFront<number[]>> {
  const rng = createRng(seed);
  let pop = initialPopulation(problem, 100, rng);
  for (let g = 0; g < generations; g++) pop = nsga2Step(problem, pop, rng);
  return firstFront(pop);
}

describe('NSGA-II on ZDT1', () => {
  // The true front's hypervolume under (1.1, 1.1): integral of (1.1 - (1 - sqrt x)) over [0, 1]
  // plus the strip to the right of f1 = 1: 0.1 + 2/3 + 0.1 * 1.1.
  const trueHv = 0.1 + 2 / 3 + 0.11;

  it('reaches 99% of the true front hypervolume (reference point 1.1, 1.1) in 500 generations of 100', () => {
    const front = run(zdt1(), 1, 500);
    const hv = hypervolume(front.map((m) => m.objectives), [1.1, 1.1]);
    expect(hv / trueHv).toBeGreaterThan(0.99);
    expect(hv).toBeLessThanOrEqual(trueHv + 1e-9);
  });

  it('is seeded: the same seed gives the same front', () => {
    const a = run(zdt1(), 7, 20).map((m) => m.objectives);
    const b = run(zdt1(), 7, 20).map((m) => m.objectives);
    expect(b).toEqual(a);
    expect(run(zdt1(), 8, 20).map((m) => m.objectives)).not.toEqual(a);
  });

  it('respects a constraint (f1 >= 0.5): no infeasible member enters the front', () => {
    const front = run(zdt1(0.5), 3, 500);
    expect(front.length).toBeGreaterThan(10);
    for (const m of front) {
      expect(m.violation).toBe(0);
      expect(m.objectives[0]).toBeGreaterThanOrEqual(0.5);
    }
    // Constrained true front: f1 in [0.5, 1]; HV under (1.1, 1.1) = integral over [0.5, 1] of (0.1 + sqrt x) + 0.11.
    const want = 0.05 + (2 / 3) * (1 - 0.5 ** 1.5) + 0.11;
    expect(hypervolume(front.map((m) => m.objectives), [1.1, 1.1]) / want).toBeGreaterThan(0.98);
  });
});
