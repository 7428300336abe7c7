// Gradient-based proxies: grad_norm, snip, grasp, fisher, plain, zico, jacob_cov (and synflow in
// synflow.ts). Gradients come from nn/autodiff: one ONNX model computing forward, loss and
// backward, run in onnxruntime. Weights: the candidate's seeded initial weights.
//
// Loss. Without labels these proxies use a documented label-free surrogate:
//   L = 0.5 / B * sum over the raw head level maps (p3, p4, p5: box distributions and class
//   logits per grid cell) of their squares,
// i.e. a regression of every head output towards zero. Each result's `input` names it. With a
// labelled batch (proxies/labels.ts), grad_norm, snip, grasp, fisher, plain and zico use the
// detection loss of proxies/detection-loss.ts instead, and their `input` says so. BatchNorm
// runs with batch statistics (training mode, as the reference implementations score networks),
// except jacob_cov (below).
import * as ort from 'onnxruntime-node';
import { createSession, gradientModel, initWeights, type Graph, type GradientOptions, type LossSpec, type Weights } from '../nn/index.js';
import { convOutputs } from './defs.js';
import { assignTargets, DETECTION_LOSS, detectionLoss } from './detection-loss.js';
import { gradientNeed } from './memory.js';
import { ProxyFailure, type BatchLabels, type CandidateContext, type CustomProxy } from './types.js';

export const SURROGATE_LOSS = 'surrogate 0.5/B*sum(head level maps^2)';

/** The raw head level maps (`p3`, `p4`, ...), or every graph output when there are none. */
export function levelMaps(graph: Graph): string[] {
  const levels = graph.outputs.filter((o) => /^p\d+$/.test(o));
  return levels.length > 0 ? levels : [...graph.outputs];
}

export function surrogateLoss(graph: Graph, batch: number): LossSpec {
  return { kind: 'sumSquares', tensors: levelMaps(graph), scale: 0.5 / batch };
}

/** The loss of a batch of B samples: the detection loss with labels, else the surrogate. */
export function proxyLoss(graph: Graph, batch: number, labels?: BatchLabels): LossSpec {
  return labels ? detectionLoss(assignTargets(graph, labels.boxes, batch)) : surrogateLoss(graph, batch);
}

/** Labels of samples [from, from + n), re-indexed from 0. */
function sliceLabels(labels: BatchLabels | undefined, from: number, n: number): BatchLabels | undefined {
  if (!labels) return undefined;
  return { boxes: labels.boxes.filter((b) => b.sample >= from && b.sample < from + n).map((b) => ({ ...b, sample: b.sample - from })) };
}

/** Trainable conv and transposed-conv weight tensors: the W of the proxies' sums. */
export function convWeightParams(graph: Graph): string[] {
  return graph.nodes
    .filter((n) => n.op.kind === 'conv' || n.op.kind === 'convTranspose')
    .map((n) => n.params[0] ?? '')
    .filter((p) => graph.params.get(p)?.trainable === true);
}

type Outputs = Record<string, ort.Tensor>;

/** Runs one gradient model on each input in turn, in one session (one session's fresh memory, not one per input). */
async function runEach(graph: Graph, opts: GradientOptions, inputs: readonly Float32Array[], B: number, threads: number): Promise<{ outs: Outputs[]; names: ReturnType<typeof gradientModel> }> {
  const names = gradientModel(graph, opts);
  const session = await createSession(names.model, { threads, optimize: false });
  try {
    const outs: Outputs[] = [];
    for (const input of inputs) outs.push(await session.run({ [graph.input.name]: new ort.Tensor('float32', input, [B, ...graph.input.shape]) }));
    return { outs, names };
  } finally {
    await session.release();
  }
}

async function run(graph: Graph, opts: GradientOptions, input: Float32Array, B: number, threads: number): Promise<{ outs: Outputs; names: ReturnType<typeof gradientModel> }> {
  const { outs, names } = await runEach(graph, opts, [input], B, threads);
  return { outs: outs[0] as Outputs, names };
}

function trainableConvWeights(graph: Graph): string[] {
  const params = convWeightParams(graph);
  if (params.length === 0) throw new ProxyFailure('error', 'the graph has no trainable convolutions');
  return params;
}

/**
 * d(loss)/dW for the conv weights, at `weights`, on each of `inputs` (B samples each), one session
 * for all: the loss (the surrogate without labels, else the detection loss of `labels`) is the
 * same model for every input.
 */
async function convWeightGradientsEach(ctx: CandidateContext, inputs: readonly Float32Array[], B: number, threads: number, weights?: Weights, labels?: BatchLabels): Promise<Map<string, Float32Array>[]> {
  const params = trainableConvWeights(ctx.graph);
  const { outs, names } = await runEach(ctx.graph, { of: proxyLoss(ctx.graph, B, labels), wrt: 'weights', params, batch: B, seed: ctx.seed, weights, batchNorm: 'batch' }, inputs, B, threads);
  return outs.map((o) => new Map([...names.gradients].map(([p, name]) => [p, o[name]?.data as Float32Array])));
}

/** d(loss)/dW for the conv weights, at `weights`, on `input` (B samples); the surrogate loss without labels. */
export async function convWeightGradients(ctx: CandidateContext, input: Float32Array, B: number, threads: number, weights?: Weights, labels?: BatchLabels): Promise<Map<string, Float32Array>> {
  return (await convWeightGradientsEach(ctx, [input], B, threads, weights, labels))[0] as Map<string, Float32Array>;
}

/** Proxies that start from the conv weight gradients at the seeded weights. */
const FROM_SEEDED_GRADIENTS: readonly string[] = ['grad_norm', 'snip', 'plain', 'grasp'];

/** What one backward pass at the seeded weights computed: the conv weight gradients, fisher, or both. */
interface SeededPass {
  readonly gradients?: Map<string, Float32Array>;
  readonly fisher?: number;
}

/**
 * One backward pass at the seeded weights, shared per candidate graph, batch and labels:
 * grad_norm, snip, plain and grasp start from its conv weight gradients, and fisher reduces its
 * conv-output gradients in the graph. A session's fresh memory costs more than the pass itself on
 * machines with slow page faults, so when the caller says which proxies it wants
 * (`ctx.requested`), the pass computes every part they need at once. Each part is computed by the
 * same nodes whichever others join it, so a score does not depend on its company (tested).
 */
const seededPasses = new WeakMap<CandidateContext['graph'], WeakMap<Float32Array, Map<string, Promise<SeededPass>>>>();

function seededPass(ctx: CandidateContext, input: Float32Array, threads: number, labels: BatchLabels | undefined, part: 'gradients' | 'fisher'): Promise<SeededPass> {
  const wanted = (names: readonly string[]): boolean => ctx.requested?.some((n) => names.includes(n)) ?? false;
  const gradients = part === 'gradients' || wanted(FROM_SEEDED_GRADIENTS);
  // A graph without learned convs fails fisher alone, not the proxies it would share with.
  const fisher = part === 'fisher' || (wanted(['fisher']) && convOutputs(ctx.graph).length > 0);
  let byInput = seededPasses.get(ctx.graph);
  if (!byInput) seededPasses.set(ctx.graph, (byInput = new WeakMap()));
  let byKey = byInput.get(input);
  if (!byKey) byInput.set(input, (byKey = new Map()));
  const key = JSON.stringify([ctx.seed, ctx.batchSize, labels?.boxes ?? null, gradients, fisher]);
  let pass = byKey.get(key);
  if (!pass) byKey.set(key, (pass = runSeededPass(ctx, input, threads, labels, gradients, fisher)));
  return pass;
}

async function runSeededPass(ctx: CandidateContext, input: Float32Array, threads: number, labels: BatchLabels | undefined, gradients: boolean, fisher: boolean): Promise<SeededPass> {
  const { graph, batchSize: B } = ctx;
  const params = gradients ? trainableConvWeights(graph) : [];
  const taps = fisher ? convOutputs(graph) : [];
  if (fisher && taps.length === 0) throw new ProxyFailure('error', 'the graph has no trainable convolutions');
  const gradientNames = new Map<string, string>();
  const { outs } = await run(
    graph,
    {
      of: proxyLoss(graph, B, labels),
      wrt: 'weights',
      params,
      taps,
      batch: B,
      seed: ctx.seed,
      batchNorm: 'batch',
      // Only the weight gradients and fisher's one number leave onnxruntime, not the tap gradients.
      gradientOutputs: false,
      finish: (em, grads) => {
        for (const [p, g] of grads.params) {
          const name = `grad:${p}`;
          em.nodes.push({ name: `${name}/identity`, opType: 'Identity', input: [g], output: [name] });
          em.output(name, [...(graph.params.get(p)?.shape ?? [])]);
          gradientNames.set(p, name);
        }
        if (!fisher) return;
        // Fisher: per output channel k of every learned conv, 0.5 * mean over the batch of (sum
        // over space of a * dL/da)^2, a the conv output; summed over channels and layers.
        const terms = taps.map((t) => {
          const perChannel = em.reduceSum(em.node('Mul', [t, grads.taps.get(t) as string]), [2, 3], false);
          return em.node('ReduceSumSquare', [perChannel], [{ name: 'keepdims', type: 2, i: 0 }]);
        });
        const total = em.node('Mul', [em.sum(terms), em.scalar(0.5 / B)]);
        em.nodes.push({ name: 'fisher/identity', opType: 'Identity', input: [total], output: ['fisher'] });
        em.output('fisher', []);
      },
    },
    input,
    B,
    threads,
  );
  return {
    gradients: gradients ? new Map([...gradientNames].map(([p, name]) => [p, outs[name]?.data as Float32Array])) : undefined,
    fisher: fisher ? Number((outs['fisher']?.data as Float32Array)[0]) : undefined,
  };
}

async function seededGradients(ctx: CandidateContext, input: Float32Array, threads: number, labels?: BatchLabels): Promise<Map<string, Float32Array>> {
  return (await seededPass(ctx, input, threads, labels, 'gradients')).gradients as Map<string, Float32Array>;
}

function finite(value: number, what: string): number {
  if (!Number.isFinite(value)) throw new ProxyFailure('not-finite', `${what} came out as ${value}`);
  return value;
}

function gradientProxy(name: string, description: string, score: (w: Weights, g: Map<string, Float32Array>) => number): CustomProxy {
  return {
    kind: 'custom',
    name,
    version: 1,
    description: `${description} (loss: ${SURROGATE_LOSS})`,
    loss: SURROGATE_LOSS,
    labelledLoss: DETECTION_LOSS,
    needs: 'batch',
    higherIsBetter: true,
    memory: gradientNeed,
    async run(ctx, batch, threads, labels) {
      const grads = await seededGradients(ctx, batch, threads, labels);
      return finite(score(initWeights(ctx.graph, ctx.seed), grads), name);
    },
  };
}

/** sum over conv weights of f(w, g), in float64. */
function sumOver(w: Weights, grads: Map<string, Float32Array>, f: (w: number, g: number) => number): number {
  let s = 0;
  for (const [p, g] of grads) {
    const wt = w.get(p) as Float32Array;
    for (let i = 0; i < g.length; i++) s += f(wt[i] ?? 0, g[i] ?? 0);
  }
  return s;
}

const gradNorm = gradientProxy('grad_norm', 'global L2 norm of dL/dW over conv weights', (w, g) => Math.sqrt(sumOver(w, g, (_, x) => x * x)));
const snip = gradientProxy('snip', 'SNIP: sum |W * dL/dW| over conv weights', (w, g) => sumOver(w, g, (a, x) => Math.abs(a * x)));
const plain = gradientProxy('plain', 'sum W * dL/dW over conv weights', (w, g) => sumOver(w, g, (a, x) => a * x));

/** Relative size of GraSP's finite-difference step: ||eps g|| = GRASP_STEP * ||W|| over the conv weights. */
export const GRASP_STEP = 1e-3;

/**
 * GraSP: score = -sum W * (H g), g = dL/dW over the conv weights. The Hessian-vector product is a
 * central finite difference of gradients, H g = (grad L(W + eps g) - grad L(W - eps g)) / (2 eps),
 * with eps chosen so that ||eps g|| = 1e-3 ||W|| (three backward passes, no double differentiation).
 */
const grasp: CustomProxy = {
  kind: 'custom',
  name: 'grasp',
  version: 1,
  description: `GraSP: -sum W * Hg over conv weights, Hg by a central difference of gradients (loss: ${SURROGATE_LOSS})`,
  loss: SURROGATE_LOSS,
  labelledLoss: DETECTION_LOSS,
  needs: 'batch',
  higherIsBetter: true,
  memory: gradientNeed,
  async run(ctx, batch, threads, labels) {
    const B = ctx.batchSize;
    const w0 = initWeights(ctx.graph, ctx.seed);
    const g = await seededGradients(ctx, batch, threads, labels);
    const wNorm = Math.sqrt(sumOver(w0, g, (a) => a * a));
    const gNorm = Math.sqrt(sumOver(w0, g, (_, x) => x * x));
    if (gNorm === 0) throw new ProxyFailure('singular', 'grasp: the gradient is zero, so the Hessian-vector product is undefined');
    const eps = (GRASP_STEP * wNorm) / gNorm;
    const moved = (sign: number): Weights => {
      const w = new Map(w0);
      for (const [p, gp] of g) {
        const base = w0.get(p) as Float32Array;
        w.set(p, base.map((v, i) => v + sign * eps * (gp[i] ?? 0)));
      }
      return w;
    };
    const up = await convWeightGradients(ctx, batch, B, threads, moved(1), labels);
    const down = await convWeightGradients(ctx, batch, B, threads, moved(-1), labels);
    let s = 0;
    for (const [p, gu] of up) {
      const gd = down.get(p) as Float32Array;
      const wt = w0.get(p) as Float32Array;
      for (let i = 0; i < gu.length; i++) s += (wt[i] ?? 0) * (((gu[i] ?? 0) - (gd[i] ?? 0)) / (2 * eps));
    }
    return finite(-s, 'grasp');
  },
};

/**
 * Fisher: per output channel k of every learned conv, 0.5 * mean over the batch of
 * (sum over space of a * dL/da)^2 with a the conv output; summed over channels and layers. The
 * per-channel sums run in the graph, so only one number leaves onnxruntime.
 */
const fisher: CustomProxy = {
  kind: 'custom',
  name: 'fisher',
  version: 1,
  description: `Fisher: sum over conv channels of 0.5 * mean_b (sum_space a * dL/da)^2 (loss: ${SURROGATE_LOSS})`,
  loss: SURROGATE_LOSS,
  labelledLoss: DETECTION_LOSS,
  needs: 'batch',
  higherIsBetter: true,
  memory: gradientNeed,
  async run(ctx, batch, threads, labels) {
    return finite((await seededPass(ctx, batch, threads, labels, 'fisher')).fisher as number, 'fisher');
  },
};

/** Batches ZiCo draws its gradient statistics from (the batch split into equal parts). */
export const ZICO_SPLITS = 2;

/**
 * ZiCo: the batch split into 2 halves, one gradient per half; per conv layer, log of the sum over
 * weights of mean|g| / std(g) across the halves (population std; weights with std 0 skipped, a
 * layer whose sum is 0 adds nothing); summed over layers.
 */
const zico: CustomProxy = {
  kind: 'custom',
  name: 'zico',
  version: 1,
  description: `ZiCo: sum over conv layers of log sum mean|g|/std(g) across ${ZICO_SPLITS} half-batches (loss: ${SURROGATE_LOSS})`,
  loss: SURROGATE_LOSS,
  labelledLoss: DETECTION_LOSS,
  needs: 'batch',
  higherIsBetter: true,
  memory: gradientNeed,
  async run(ctx, batch, threads, labels) {
    const part = Math.floor(ctx.batchSize / ZICO_SPLITS);
    if (part < 1) throw new ProxyFailure('error', `zico needs a batch of at least ${ZICO_SPLITS} (one sample per split)`);
    const per = batch.length / ctx.batchSize;
    const splits = Array.from({ length: ZICO_SPLITS }, (_, k) => batch.subarray(k * part * per, (k + 1) * part * per));
    const partCtx = { ...ctx, batchSize: part };
    // Without labels one model (and session) serves every split; a labelled loss bakes each split's targets into its model.
    const grads: Map<string, Float32Array>[] = [];
    if (labels) for (const [k, x] of splits.entries()) grads.push(await convWeightGradients(partCtx, x, part, threads, undefined, sliceLabels(labels, k * part, part)));
    else grads.push(...(await convWeightGradientsEach(partCtx, splits, part, threads)));
    return finite(zicoScore(grads), 'zico');
  },
};

/** ZiCo from per-batch gradients of each layer (exported for tests). */
export function zicoScore(grads: readonly ReadonlyMap<string, Float32Array>[]): number {
  const n = grads.length;
  let total = 0;
  for (const p of grads[0]?.keys() ?? []) {
    const gs = grads.map((m) => m.get(p) as Float32Array);
    const len = gs[0]?.length ?? 0;
    let s = 0;
    for (let i = 0; i < len; i++) {
      let mean = 0;
      let meanAbs = 0;
      for (const g of gs) {
        mean += g[i] ?? 0;
        meanAbs += Math.abs(g[i] ?? 0);
      }
      mean /= n;
      meanAbs /= n;
      let v = 0;
      for (const g of gs) v += ((g[i] ?? 0) - mean) ** 2;
      const std = Math.sqrt(v / n);
      if (std > 0) s += meanAbs / std;
    }
    if (s > 0) total += Math.log(s);
  }
  return total;
}

/** Eigenvalues of a symmetric matrix (cyclic Jacobi rotations, float64). */
export function symmetricEigenvalues(n: number, data: ArrayLike<number>): number[] {
  const a = Float64Array.from(data);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += (a[i * n + j] ?? 0) ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q] ?? 0;
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p * n + p] ?? 0;
        const aqq = a[q * n + q] ?? 0;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p] ?? 0;
          const akq = a[k * n + q] ?? 0;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k] ?? 0;
          const aqk = a[q * n + k] ?? 0;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
  }
  return Array.from({ length: n }, (_, i) => a[i * n + i] ?? 0);
}

/** jacob_cov's score from per-sample input gradients J ([B, N], row-major) (exported for tests). */
export function jacobCovScore(J: ArrayLike<number>, B: number): number {
  const N = J.length / B;
  const rows: Float64Array[] = [];
  for (let b = 0; b < B; b++) {
    const r = new Float64Array(N);
    let m = 0;
    for (let i = 0; i < N; i++) m += (r[i] = J[b * N + i] ?? 0);
    m /= N;
    let ss = 0;
    for (let i = 0; i < N; i++) ss += ((r[i] = (r[i] ?? 0) - m) ** 2);
    if (ss === 0) throw new ProxyFailure('singular', `jacob_cov: the input gradient of sample ${b} is constant, so its correlations are undefined`);
    const inv = 1 / Math.sqrt(ss);
    for (let i = 0; i < N; i++) r[i] = (r[i] ?? 0) * inv;
    rows.push(r);
  }
  const C = new Float64Array(B * B);
  for (let i = 0; i < B; i++)
    for (let j = i; j < B; j++) {
      let s = 0;
      const ri = rows[i] as Float64Array;
      const rj = rows[j] as Float64Array;
      for (let k = 0; k < N; k++) s += (ri[k] ?? 0) * (rj[k] ?? 0);
      C[i * B + j] = s;
      C[j * B + i] = s;
    }
  const k = 1e-5;
  return -symmetricEigenvalues(B, C).reduce((acc, v) => acc + Math.log(v + k) + 1 / (v + k), 0);
}

/**
 * jacob_cov: J = d(sum of the head level maps)/d(input), per sample (BatchNorm with its fixed
 * initial statistics, so row b depends on sample b alone); C = corrcoef of the rows (B x B),
 * eigenvalues v; score = -sum(log(v + 1e-5) + 1/(v + 1e-5)).
 */
const jacobCov: CustomProxy = {
  kind: 'custom',
  name: 'jacob_cov',
  version: 1,
  description: 'Jacobian covariance: -sum(log(v+k)+1/(v+k)) over eigenvalues of the per-sample input-gradient correlations (loss: sum of head level maps)',
  loss: 'sum(head level maps)',
  needs: 'batch',
  higherIsBetter: true,
  memory: gradientNeed,
  async run(ctx, batch, threads) {
    const B = ctx.batchSize;
    if (B < 2) throw new ProxyFailure('error', 'jacob_cov needs a batch of at least 2');
    const { outs, names } = await run(
      ctx.graph,
      { of: { kind: 'sum', tensors: levelMaps(ctx.graph) }, wrt: 'input', perSampleInput: true, batch: B, seed: ctx.seed, batchNorm: 'inference' },
      batch,
      B,
      threads,
    );
    const J = outs[names.inputGradient ?? '']?.data as Float32Array;
    return finite(jacobCovScore(J, B), 'jacob_cov');
  },
};

export const GRADIENT_PROXIES: readonly CustomProxy[] = [gradNorm, snip, grasp, fisher, plain, zico, jacobCov];
