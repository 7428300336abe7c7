// Small dense linear algebra in float64 for proxy reductions: B x B kernels (NASWOT) and C x C
// correlation matrices (MeCo). Sizes stay in the hundreds, so plain O(n^3) loops are enough.

/** A square matrix, row-major. */
export interface Square {
  readonly n: number;
  readonly data: Float64Array;
}

export function square(n: number, data: ArrayLike<number>): Square {
  if (data.length !== n * n) throw new RangeError(`${data.length} values for a ${n}x${n} matrix`);
  return { n, data: Float64Array.from(data) };
}

/** sign(det) and log|det| by LU decomposition with partial pivoting; sign 0 for a singular matrix. */
export function slogdet(m: Square): { sign: -1 | 0 | 1; logAbsDet: number } {
  const { n } = m;
  const a = Float64Array.from(m.data);
  let sign: -1 | 1 = 1;
  let logAbs = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(a[k * n + k] ?? 0);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k] ?? 0);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (best === 0 || !Number.isFinite(best)) return { sign: 0, logAbsDet: -Infinity };
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = a[k * n + j] ?? 0;
        a[k * n + j] = a[p * n + j] ?? 0;
        a[p * n + j] = t;
      }
      sign = sign === 1 ? -1 : 1;
    }
    const pivot = a[k * n + k] ?? 0;
    if (pivot < 0) sign = sign === 1 ? -1 : 1;
    logAbs += Math.log(Math.abs(pivot));
    for (let i = k + 1; i < n; i++) {
      const f = (a[i * n + k] ?? 0) / pivot;
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) a[i * n + j] = (a[i * n + j] ?? 0) - f * (a[k * n + j] ?? 0);
    }
  }
  return { sign, logAbsDet: logAbs };
}

/**
 * Householder reduction of a symmetric matrix to tridiagonal form (diagonal d, off-diagonal e,
 * e[0] unused), as in the classic tred2 without accumulating the transform.
 */
function tridiagonalise(m: Square): { d: Float64Array; e: Float64Array } {
  const n = m.n;
  const a = Float64Array.from(m.data);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const at = (i: number, j: number): number => a[i * n + j] ?? 0;
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1;
    let h = 0;
    if (l > 0) {
      let scale = 0;
      for (let k = 0; k <= l; k++) scale += Math.abs(at(i, k));
      if (scale === 0) e[i] = at(i, l);
      else {
        for (let k = 0; k <= l; k++) {
          a[i * n + k] = at(i, k) / scale;
          h += at(i, k) * at(i, k);
        }
        let f = at(i, l);
        const g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        a[i * n + l] = f - g;
        f = 0;
        for (let j = 0; j <= l; j++) {
          let gg = 0;
          for (let k = 0; k <= j; k++) gg += at(j, k) * at(i, k);
          for (let k = j + 1; k <= l; k++) gg += at(k, j) * at(i, k);
          e[j] = gg / h;
          f += (e[j] ?? 0) * at(i, j);
        }
        const hh = f / (h + h);
        for (let j = 0; j <= l; j++) {
          const fj = at(i, j);
          const gj = (e[j] ?? 0) - hh * fj;
          e[j] = gj;
          for (let k = 0; k <= j; k++) a[j * n + k] = at(j, k) - (fj * (e[k] ?? 0) + gj * at(i, k));
        }
      }
    } else e[i] = at(i, l);
    d[i] = h;
  }
  for (let i = 0; i < n; i++) d[i] = at(i, i);
  return { d, e };
}

/** Number of eigenvalues of the tridiagonal (d, e) smaller than x (Sturm sequence). */
function countBelow(d: Float64Array, e: Float64Array, x: number): number {
  let count = 0;
  let q = 1;
  for (let i = 0; i < d.length; i++) {
    const off = i > 0 ? (e[i] ?? 0) : 0;
    q = (d[i] ?? 0) - x - (i > 0 ? (off * off) / q : 0);
    if (q === 0) q = -1e-300;
    if (q < 0) count++;
  }
  return count;
}

/** Smallest eigenvalue of a symmetric matrix, to about 1e-12 relative to its spread. */
export function minEigenvalueSymmetric(m: Square): number {
  if (m.n === 0) return NaN;
  if (m.n === 1) return m.data[0] ?? NaN;
  const { d, e } = tridiagonalise(m);
  // Gershgorin bounds of the tridiagonal.
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < d.length; i++) {
    const r = Math.abs(i > 0 ? (e[i] ?? 0) : 0) + Math.abs(i + 1 < d.length ? (e[i + 1] ?? 0) : 0);
    lo = Math.min(lo, (d[i] ?? 0) - r);
    hi = Math.max(hi, (d[i] ?? 0) + r);
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return NaN;
  const tol = 1e-12 * Math.max(1, Math.abs(lo), Math.abs(hi));
  for (let it = 0; it < 200 && hi - lo > tol; it++) {
    const mid = (lo + hi) / 2;
    if (countBelow(d, e, mid) >= 1) hi = mid;
    else lo = mid;
  }
  return (lo + hi) / 2;
}
