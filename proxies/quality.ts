// How well a proxy ranks ground truth: Kendall tau (tau-b), Spearman rho, top-k overlap, and
// the share of the true Pareto front (truth against MACs) that the proxy's own front recovers.

/** Average ranks (1-based), ties sharing the mean of their positions. */
export function ranks(xs: readonly number[]): number[] {
  const order = xs.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]?.[0] === order[i]?.[0]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]?.[1] as number] = r;
    i = j + 1;
  }
  return out;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] ?? 0) - ma;
    const db = (b[i] ?? 0) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa === 0 || sbb === 0 ? NaN : sab / Math.sqrt(saa * sbb);
}

export function spearman(a: readonly number[], b: readonly number[]): number {
  return pearson(ranks(a), ranks(b));
}

/** Kendall's tau-b (accounts for ties), O(n^2): fine for the thousand-model tables it serves. */
export function kendallTau(a: readonly number[], b: readonly number[]): number {
  let concordant = 0;
  let discordant = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < a.length; i++)
    for (let j = i + 1; j < a.length; j++) {
      const da = Math.sign((a[i] ?? 0) - (a[j] ?? 0));
      const db = Math.sign((b[i] ?? 0) - (b[j] ?? 0));
      if (da === 0 && db === 0) continue;
      if (da === 0) tiesA++;
      else if (db === 0) tiesB++;
      else if (da === db) concordant++;
      else discordant++;
    }
  const denom = Math.sqrt((concordant + discordant + tiesA) * (concordant + discordant + tiesB));
  return denom === 0 ? NaN : (concordant - discordant) / denom;
}

/** Share of the true top fraction (by truth) found in the proxy's top fraction. */
export function topOverlap(proxy: readonly number[], truth: readonly number[], fraction = 0.1): number {
  const k = Math.max(1, Math.ceil(proxy.length * fraction));
  const top = (xs: readonly number[]): Set<number> => new Set(xs.map((v, i) => [v, i] as const).sort((x, y) => y[0] - x[0] || x[1] - y[1]).slice(0, k).map(([, i]) => i));
  const a = top(proxy);
  let hit = 0;
  for (const i of top(truth)) if (a.has(i)) hit++;
  return hit / k;
}

/** Indices not dominated when maximising `score` and minimising `cost`. */
export function paretoFront(score: readonly number[], cost: readonly number[]): Set<number> {
  const idx = score.map((_, i) => i).sort((x, y) => (cost[x] ?? 0) - (cost[y] ?? 0) || (score[y] ?? 0) - (score[x] ?? 0));
  const front = new Set<number>();
  let best = -Infinity;
  for (const i of idx) {
    if ((score[i] ?? -Infinity) > best) {
      front.add(i);
      best = score[i] ?? best;
    }
  }
  return front;
}

/** Share of the true front (truth vs cost) that is also on the proxy's front (proxy vs cost). */
export function paretoRecovery(proxy: readonly number[], truth: readonly number[], cost: readonly number[]): number {
  const trueFront = paretoFront(truth, cost);
  const proxyFront = paretoFront(proxy, cost);
  let hit = 0;
  for (const i of trueFront) if (proxyFront.has(i)) hit++;
  return trueFront.size === 0 ? NaN : hit / trueFront.size;
}

export interface Quality {
  readonly n: number;
  readonly kendallTau: number;
  readonly spearmanRho: number;
  readonly top10Overlap: number;
  readonly paretoRecovery: number;
}

/** All four measures; `proxy` already oriented so that higher is better. */
export function quality(proxy: readonly number[], truth: readonly number[], macs: readonly number[]): Quality {
  return {
    n: proxy.length,
    kendallTau: kendallTau(proxy, truth),
    spearmanRho: spearman(proxy, truth),
    top10Overlap: topOverlap(proxy, truth, 0.1),
    paretoRecovery: paretoRecovery(proxy, truth, macs),
  };
}
