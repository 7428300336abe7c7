// Non-negative least squares (Lawson & Hanson, 1974): min ||A x - b|| subject to x >= 0. With
// non-negative features, non-negative coefficients make a latency prediction that cannot go negative.
// Sizes here are tiny (a few hundred rows, ~10 columns), so normal equations solved by Gaussian
// elimination on column-scaled data are accurate enough and need no library.

/** Solves the square system M z = v by Gaussian elimination with partial pivoting. */
function solve(m: number[][], v: number[]): number[] {
  const n = v.length;
  const a = m.map((row, i) => [...row, v[i] ?? 0]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]?.[c] ?? 0) > Math.abs(a[p]?.[c] ?? 0)) p = r;
    [a[c], a[p]] = [a[p] as number[], a[c] as number[]];
    const pivot = (a[c] as number[])[c] ?? 0;
    if (Math.abs(pivot) < 1e-300) continue;
    for (let r = c + 1; r < n; r++) {
      const f = ((a[r] as number[])[c] ?? 0) / pivot;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) (a[r] as number[])[k] = ((a[r] as number[])[k] ?? 0) - f * ((a[c] as number[])[k] ?? 0);
    }
  }
  const z = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    const row = a[r] as number[];
    let s = row[n] ?? 0;
    for (let k = r + 1; k < n; k++) s -= (row[k] ?? 0) * (z[k] ?? 0);
    const d = row[r] ?? 0;
    z[r] = Math.abs(d) < 1e-300 ? 0 : s / d;
  }
  return z;
}

/** Least squares restricted to the columns in `set` (others fixed at 0), via normal equations. */
function restrictedLs(ata: number[][], atb: number[], set: readonly number[]): number[] {
  const m = set.map((i) => set.map((j) => (ata[i] as number[])[j] ?? 0));
  // A whisper of ridge keeps collinear feature pairs (e.g. two MAC kinds that move together) solvable.
  m.forEach((row, k) => (row[k] = (row[k] ?? 0) * (1 + 1e-10) + 1e-12));
  return solve(m, set.map((i) => atb[i] ?? 0));
}

export function nnls(a: readonly (readonly number[])[], b: readonly number[], maxIter = 500): number[] {
  const n = a[0]?.length ?? 0;
  // Scale columns to unit norm so that MACs (1e9) and op counts (1e2) are treated alike.
  const scale = Array.from({ length: n }, (_, j) => Math.sqrt(a.reduce((s, row) => s + (row[j] ?? 0) ** 2, 0)) || 1);
  const ata = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => a.reduce((s, row) => s + ((row[i] ?? 0) / (scale[i] ?? 1)) * ((row[j] ?? 0) / (scale[j] ?? 1)), 0)),
  );
  const atb = Array.from({ length: n }, (_, i) => a.reduce((s, row, r) => s + ((row[i] ?? 0) / (scale[i] ?? 1)) * (b[r] ?? 0), 0));
  const x = new Array<number>(n).fill(0);
  const passive = new Set<number>();
  const gradient = (): number[] => atb.map((v, i) => v - (ata[i] as number[]).reduce((s, q, j) => s + q * (x[j] ?? 0), 0));
  const tol = 1e-12 * Math.max(1, ...atb.map(Math.abs));
  for (let iter = 0; iter < maxIter; iter++) {
    const w = gradient();
    let best = -1;
    for (let j = 0; j < n; j++) if (!passive.has(j) && (w[j] ?? 0) > tol && (best < 0 || (w[j] ?? 0) > (w[best] ?? 0))) best = j;
    if (best < 0) break;
    passive.add(best);
    for (;;) {
      const set = [...passive].sort((p, q) => p - q);
      const z = restrictedLs(ata, atb, set);
      if (z.every((v) => v > 0)) {
        x.fill(0);
        set.forEach((j, k) => (x[j] = z[k] ?? 0));
        break;
      }
      // Step from x towards z until the first passive coefficient hits zero; drop those at zero.
      let alpha = 1;
      set.forEach((j, k) => {
        const zk = z[k] ?? 0;
        if (zk <= 0) alpha = Math.min(alpha, (x[j] ?? 0) / ((x[j] ?? 0) - zk));
      });
      set.forEach((j, k) => (x[j] = (x[j] ?? 0) + alpha * ((z[k] ?? 0) - (x[j] ?? 0))));
      for (const j of set) if ((x[j] ?? 0) <= 1e-15) {
        x[j] = 0;
        passive.delete(j);
      }
      if (passive.size === 0) break;
    }
  }
  return x.map((v, j) => v / (scale[j] ?? 1));
}
