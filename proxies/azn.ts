// AZ-NAS (Lee & Ham, CVPR 2024): four components of an untrained network, then rank aggregation
// over a population (proxies/aggregate.ts).
//
// Stages: the outputs f_1..f_L of the backbone's top-level layers (`backbone.*`), in order; a
// layer's output is the last tensor it produces that a node outside the layer reads. Weights: the
// candidate's seeded initial weights; BatchNorm with batch statistics (training mode); input: the
// batch (Gaussian by default).
// - expressivity: per stage, the C x C covariance of the feature vectors (B*H*W samples of C
//   channels, mean-centred, divided by B*H*W), eigenvalues s (negative round-off clamped to 0),
//   p = s / sum(s), entropy H = -sum p log(p + 1e-8); expressivity = sum over stages of H.
// - progressivity: min over consecutive stages of H_i - H_{i-1}.
// - trainability: per consecutive pair (f_{i-1}, f_i), g_out = random +-1 (seeded) shaped like f_i,
//   g_in = g_out^T d f_i / d f_{i-1} (one vector-Jacobian product, nn/autodiff); when f_{i-1} is s
//   times larger spatially, g_in is rearranged space-to-depth (s x s blocks into channels; the
//   channel order does not change singular values); M = G_in^T G_out / (B*Ho*Wo) with rows the
//   pixels; sigma = the largest singular value of M; term = -sigma - 1/(sigma + 1e-6) + 2 (0 at
//   sigma = 1, the ideal gradient flow); trainability = the mean of the terms.
// - complexity: the candidate's MACs.
// Covariances and M are computed in float64 in the graph; eigenvalues in JavaScript (float64).
//
// Score of a single candidate (`value`): ranks need a population, so the proxy's own value is
// the documented non-rank aggregate expressivity + progressivity + trainability + ln(MACs) (each
// term higher-is-better). The four components come with the result (`components`); a search or
// bench over many candidates should combine them with rankAggregate (AZ-NAS's sum of log(rank/N)).
import * as ort from 'onnxruntime-node';
import { autodiff, createRng, createSession, toOnnx, type Graph } from '../nn/index.js';
import { gradientNeed } from './memory.js';
import { ProxyFailure, type CandidateContext, type CustomProxy } from './types.js';

export const AZ_NAS_COMPONENTS = ['expressivity', 'progressivity', 'trainability', 'complexity'] as const;
export type AzNasComponents = Record<(typeof AZ_NAS_COMPONENTS)[number], number>;

const ENTROPY_EPS = 1e-8;
const SIGMA_EPS = 1e-6;

/** The backbone stage outputs AZ-NAS reads, in order. */
export function azStages(graph: Graph): string[] {
  const readers = new Map<string, Set<string>>();
  for (const n of graph.nodes) for (const i of n.inputs) (readers.get(i) ?? readers.set(i, new Set()).get(i))?.add(n.layer);
  const outputs = new Set(graph.outputs);
  const stages: string[] = [];
  for (const l of graph.layers) {
    if (!l.scope.startsWith('backbone.')) continue;
    let out: string | undefined;
    for (const n of graph.nodes) {
      if (n.layer !== l.scope) continue;
      for (const o of n.outputs) {
        const outside = [...(readers.get(o) ?? [])].some((r) => r !== l.scope);
        if ((outside || outputs.has(o)) && graph.tensors.get(o)?.shape.length === 3) out = o;
      }
    }
    if (out !== undefined) stages.push(out);
  }
  return stages;
}

/** The seeded +-1 cotangent of stage tensor `tensor` ([B, C, H, W] row-major, n values). */
export function azCotangent(seed: number, tensor: string, n: number): Float32Array {
  const rng = createRng(seed, `az_nas:${tensor}`);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.next() < 0.5 ? -1 : 1;
  return v;
}

/** Eigenvalues (ascending) of a symmetric n x n matrix: Householder tridiagonalisation, then implicit QL. */
export function eigenvaluesSymmetric(n: number, data: ArrayLike<number>): number[] {
  if (data.length !== n * n) throw new RangeError(`${data.length} values for a ${n}x${n} matrix`);
  const a = Float64Array.from(data);
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  // Householder: zero column k below the subdiagonal, for k = 0 .. n-3.
  for (let k = 0; k < n - 2; k++) {
    let norm = 0;
    for (let i = k + 1; i < n; i++) norm += (a[i * n + k] as number) ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const x0 = a[(k + 1) * n + k] as number;
    const alpha = x0 >= 0 ? -norm : norm;
    let vn = 0;
    for (let i = k + 1; i < n; i++) {
      v[i] = (a[i * n + k] as number) - (i === k + 1 ? alpha : 0);
      vn += (v[i] as number) ** 2;
    }
    vn = Math.sqrt(vn);
    if (vn === 0) continue;
    for (let i = k + 1; i < n; i++) v[i] = (v[i] as number) / vn;
    // p = A v on the trailing block; w = p - (v.p) v; A -= 2 v w^T + 2 w v^T.
    // (Row offsets and row scalars hoisted by hand: this is az_nas's hot loop, O(n^3) on up to
    // 512 x 512 matrices; the arithmetic and its order are unchanged.)
    let vp = 0;
    for (let i = k + 1; i < n; i++) {
      const row = i * n;
      let s = 0;
      for (let j = k + 1; j < n; j++) s += (a[row + j] as number) * (v[j] as number);
      p[i] = s;
      vp += (v[i] as number) * s;
    }
    for (let i = k + 1; i < n; i++) p[i] = (p[i] as number) - vp * (v[i] as number);
    for (let i = k + 1; i < n; i++) {
      const row = i * n;
      const vi = v[i] as number;
      const pi = p[i] as number;
      for (let j = k + 1; j < n; j++) a[row + j] = (a[row + j] as number) - 2 * (vi * (p[j] as number) + pi * (v[j] as number));
    }
    for (let i = k + 2; i < n; i++) a[i * n + k] = a[k * n + i] = 0;
    a[(k + 1) * n + k] = a[k * n + k + 1] = alpha;
  }
  const d = Float64Array.from({ length: n }, (_, i) => a[i * n + i] as number);
  const e = Float64Array.from({ length: n }, (_, i) => (i + 1 < n ? (a[(i + 1) * n + i] as number) : 0));
  // Implicit QL with Wilkinson-type shifts on (d, e). An off-diagonal element is negligible next
  // to its diagonal neighbours or to the matrix norm (deflating it moves eigenvalues by at most
  // EPSILON * norm, the accuracy of the reduction; without the norm test clusters of near-zero
  // eigenvalues, common in rank-deficient covariances, may never deflate).
  let norm = 0;
  for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(d[i] as number) + Math.abs(e[i] as number) + (i > 0 ? Math.abs(e[i - 1] as number) : 0));
  const floor = Number.EPSILON * norm;
  for (let l = 0; l < n; l++) {
    for (let iter = 0; ; iter++) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m] as number) + Math.abs(d[m + 1] as number);
        if (Math.abs(e[m] as number) <= Number.EPSILON * dd || Math.abs(e[m] as number) <= floor) break;
      }
      if (m === l) break;
      if (iter >= 200) throw new ProxyFailure('singular', 'eigenvalues did not converge');
      let g = ((d[l + 1] as number) - (d[l] as number)) / (2 * (e[l] as number));
      let r = Math.hypot(g, 1);
      g = (d[m] as number) - (d[l] as number) + (e[l] as number) / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let shift = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * (e[i] as number);
        const b = c * (e[i] as number);
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] = (d[i + 1] as number) - shift;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = (d[i + 1] as number) - shift;
        r = ((d[i] as number) - g) * s + 2 * c * b;
        shift = s * r;
        d[i + 1] = g + shift;
        g = c * r - b;
      }
      if (underflow) continue;
      d[l] = (d[l] as number) - shift;
      e[l] = g;
      e[m] = 0;
    }
  }
  return [...d].sort((x, y) => x - y);
}

/** Entropy of the normalised eigenvalue spectrum of a covariance matrix. */
export function spectrumEntropy(eigenvalues: readonly number[]): number {
  const s = eigenvalues.map((x) => Math.max(0, x));
  const total = s.reduce((acc, x) => acc + x, 0);
  if (!(total > 0)) throw new ProxyFailure('singular', 'a stage has zero feature variance: its expressivity is undefined');
  return s.reduce((acc, x) => acc - (x / total) * Math.log(x / total + ENTROPY_EPS), 0);
}

/** -sigma - 1/(sigma + 1e-6) + 2, the trainability term of one stage pair. */
export const trainabilityTerm = (sigma: number): number => -sigma - 1 / (sigma + SIGMA_EPS) + 2;

/** Computes the four components for one candidate (exported for tests and benches). */
export async function azNasComponents(ctx: CandidateContext, batch: Float32Array, threads: number): Promise<AzNasComponents> {
  const { graph, batchSize: B, seed } = ctx;
  const stages = azStages(graph);
  if (stages.length < 2) throw new ProxyFailure('error', `az_nas needs at least 2 backbone stages, ${graph.name} has ${stages.length}`);
  const shape = (t: string): [number, number, number] => {
    const [c = 0, h = 0, w = 0] = graph.tensors.get(t)?.shape ?? [];
    return [c, h, w];
  };
  const em = new autodiff.Emitter('az', 'float');
  const toRows = (x: string, c: number, n: number): string => em.reshape(em.transpose(em.node('Cast', [x], [autodiff.attr.int('to', autodiff.DTYPE.double)]), [0, 2, 3, 1]), [n, c]);

  const covs = stages.map((t, i) => {
    const [c, h, w] = shape(t);
    const n = B * h * w;
    const X = toRows(t, c, n);
    const mean = em.node('Mul', [em.reduceSum(X, [0], true), em.scalar(1 / n, 'double')]);
    const Xc = em.node('Sub', [X, mean]);
    const cov = em.node('Mul', [em.node('MatMul', [em.transpose(Xc, [1, 0]), Xc]), em.scalar(1 / n, 'double')]);
    const name = `az:cov${i}`;
    em.nodes.push({ name: `${name}/identity`, opType: 'Identity', input: [cov], output: [name] });
    em.output(name, [c, c], 'double');
    return { name, c };
  });

  const grams: { name: string; n: number }[] = [];
  for (let i = 1; i < stages.length; i++) {
    const fin = stages[i - 1] as string;
    const fout = stages[i] as string;
    const [ci, hi, wi] = shape(fin);
    const [co, ho, wo] = shape(fout);
    if (hi % ho !== 0 || wi % wo !== 0 || hi / ho !== wi / wo) throw new ProxyFailure('error', `az_nas: stage ${fin} [${ci}, ${hi}, ${wi}] is not an integer multiple of the next stage ${fout} [${co}, ${ho}, ${wo}]`);
    const stride = hi / ho;
    const v = azCotangent(seed, fout, B * co * ho * wo);
    const vc = em.constant(v, [B, co, ho, wo]);
    const grads = autodiff.emitBackward(graph, em, { batch: B, batchNorm: 'batch', seeds: new Map([[fout, vc]]), wrt: [fin] });
    let gin = grads.get(fin) as string;
    if (stride > 1) gin = em.node('SpaceToDepth', [gin], [autodiff.attr.int('blocksize', stride)]);
    const rowsIn = ci * stride * stride;
    const n = B * ho * wo;
    const Gin = toRows(gin, rowsIn, n);
    const Gout = toRows(vc, co, n);
    const M = em.node('Mul', [em.node('MatMul', [em.transpose(Gin, [1, 0]), Gout]), em.scalar(1 / n, 'double')]);
    const small = Math.min(rowsIn, co);
    const gram = rowsIn >= co ? em.node('MatMul', [em.transpose(M, [1, 0]), M]) : em.node('MatMul', [M, em.transpose(M, [1, 0])]);
    const name = `az:gram${i}`;
    em.nodes.push({ name: `${name}/identity`, opType: 'Identity', input: [gram], output: [name] });
    em.output(name, [small, small], 'double');
    grams.push({ name, n: small });
  }

  const model = toOnnx(graph, { batch: B, seed, batchNorm: 'batch', outputs: [], extension: em.extension() });
  const session = await createSession(model, { threads, optimize: false });
  let outs: Record<string, ort.Tensor>;
  try {
    outs = await session.run({ [graph.input.name]: new ort.Tensor('float32', batch, [B, ...graph.input.shape]) });
  } finally {
    await session.release();
  }
  const read = (name: string): Float64Array => {
    const t = outs[name];
    if (!t) throw new ProxyFailure('error', `az_nas: ${name} missing from the session outputs`);
    return t.data as Float64Array;
  };
  const entropies = covs.map(({ name, c }) => spectrumEntropy(eigenvaluesSymmetric(c, read(name))));
  let progressivity = Infinity;
  for (let i = 1; i < entropies.length; i++) progressivity = Math.min(progressivity, (entropies[i] as number) - (entropies[i - 1] as number));
  const terms = grams.map(({ name, n }) => {
    const eig = eigenvaluesSymmetric(n, read(name));
    return trainabilityTerm(Math.sqrt(Math.max(0, eig[eig.length - 1] ?? 0)));
  });
  return {
    expressivity: entropies.reduce((a, x) => a + x, 0),
    progressivity,
    trainability: terms.reduce((a, x) => a + x, 0) / terms.length,
    complexity: ctx.costs.macs,
  };
}

/** The non-rank per-candidate aggregate: expressivity + progressivity + trainability + ln(complexity). */
export function azNasValue(c: AzNasComponents): number {
  if (!(c.complexity > 0)) throw new ProxyFailure('error', 'az_nas: the candidate has no MACs');
  return c.expressivity + c.progressivity + c.trainability + Math.log(c.complexity);
}

export const azNas: CustomProxy = {
  kind: 'custom',
  name: 'az_nas',
  version: 1,
  description:
    'AZ-NAS components over backbone stages (expressivity, progressivity, trainability, MACs); value = E + P + T + ln(MACs) per candidate, rankAggregate for populations',
  loss: 'none: stage-to-stage vector-Jacobian products of seeded +-1 cotangents',
  needs: 'batch',
  higherIsBetter: true,
  memory: gradientNeed,
  async run(ctx, batch, threads) {
    return azNasValue(await azNasComponents(ctx, batch, threads));
  },
  async runDetailed(ctx, batch, threads) {
    const components = await azNasComponents(ctx, batch, threads);
    return { value: azNasValue(components), components };
  },
};
