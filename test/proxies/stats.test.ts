import { describe, expect, it } from 'vitest';
import { kendallTau, minEigenvalueSymmetric, paretoFront, paretoRecovery, ranks, slogdet, spearman, square, topOverlap } from '../../proxies/index.js';
import { createRng } from '../../nn/index.js';

describe('rank statistics against hand-worked values', () => {
  it('ranks average ties', () => {
    expect(ranks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
  });
  it('Kendall tau-b: perfect, reversed, and one discordant pair of four', () => {
    expect(kendallTau([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(kendallTau([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    // pairs: 6; one swapped -> (5 - 1) / 6
    expect(kendallTau([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(4 / 6, 12);
    // tie-corrected: x = [1,1,2], y = [1,2,3]: C = 2, D = 0, ties in x = 1 -> 2 / sqrt(2 * 3)
    expect(kendallTau([1, 1, 2], [1, 2, 3])).toBeCloseTo(2 / Math.sqrt(6), 12);
  });
  it('Spearman rho: 1 - 6 sum d^2 / (n (n^2 - 1)) without ties', () => {
    // d = [0, 1, -1, 0] -> 1 - 6 * 2 / 60
    expect(spearman([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
  });
  it('top-10% overlap and Pareto recovery', () => {
    const truth = Array.from({ length: 20 }, (_, i) => i);
    expect(topOverlap(truth, truth)).toBe(1);
    expect(topOverlap(truth.map((v) => -v), truth)).toBe(0);
    // cost: lower better; score: higher better. Front of (score, cost): indices 0 (1, 1), 2 (3, 2), 3 (4, 5).
    expect([...paretoFront([1, 2, 3, 4], [1, 3, 2, 5])].sort()).toEqual([0, 2, 3]);
    expect(paretoRecovery([1, 2, 3, 4], [1, 2, 3, 4], [1, 3, 2, 5])).toBe(1);
    expect(paretoRecovery([4, 3, 2, 1], [1, 2, 3, 4], [1, 3, 2, 5])).toBeCloseTo(1 / 3, 12);
  });
});

describe('linear algebra', () => {
  it('slogdet of a hand-computed 3x3 and of a singular matrix', () => {
    // det [[2,0,1],[1,3,2],[1,1,1]] = 2(3-2) - 0 + 1(1-3) = 0 -> singular; change one entry:
    expect(slogdet(square(3, [2, 0, 1, 1, 3, 2, 1, 1, 1])).sign).toBe(0);
    const r = slogdet(square(3, [2, 0, 1, 1, 3, 2, 1, 1, 2])); // det = 2(6-2) - 0 + 1(1-3) = 6
    expect(r.sign).toBe(1);
    expect(r.logAbsDet).toBeCloseTo(Math.log(6), 12);
    expect(slogdet(square(2, [0, 1, 1, 0]))).toEqual({ sign: -1, logAbsDet: 0 });
  });
  it('the smallest eigenvalue of Q diag(l) Q^T is min(l)', () => {
    const rng = createRng(4);
    for (const n of [2, 7, 40]) {
      const eig = Array.from({ length: n }, () => rng.normal() * 2);
      const q: number[][] = [];
      for (let i = 0; i < n; i++) {
        let v = Array.from({ length: n }, () => rng.normal());
        for (const u of q) {
          const dot = v.reduce((s, x, k) => s + x * (u[k] ?? 0), 0);
          v = v.map((x, k) => x - dot * (u[k] ?? 0));
        }
        const norm = Math.hypot(...v);
        q.push(v.map((x) => x / norm));
      }
      const a = Array.from({ length: n * n }, (_, idx) => {
        const i = Math.floor(idx / n);
        const j = idx % n;
        return q.reduce((s, row, k) => s + (row[i] ?? 0) * (eig[k] ?? 0) * (row[j] ?? 0), 0);
      });
      expect(minEigenvalueSymmetric(square(n, a))).toBeCloseTo(Math.min(...eig), 9);
    }
  });
});
