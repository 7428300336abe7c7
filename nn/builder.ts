// Builds a Graph op by op, inferring shapes as it goes. Block builders (blocks.ts) and the
// family definitions in space/ use it; a graph is never mutated once `finish` returns it.
import { GraphError, type ActFn, type Graph, type Init, type Node, type Op, type Param, type Tensor } from './graph.js';
import { inferShapes } from './shapes.js';

/** The name of an activation tensor in the graph being built. */
export type T = string;

export interface ConvSpec {
  readonly cout: number;
  readonly k?: number;
  readonly stride?: number;
  /** Defaults to k // 2 (Ultralytics' autopad). */
  readonly pad?: number;
  readonly groups?: number;
  readonly dilation?: number;
  readonly bias?: boolean;
  /** Overrides PyTorch's default bias init (the detect head's prior biases). */
  readonly biasInit?: Init;
}

/** PyTorch's default init bound for conv weights and biases: kaiming_uniform(a=sqrt 5) gives 1/sqrt(fan_in). */
function fanInBound(fanIn: number): Init {
  return { kind: 'uniform', bound: 1 / Math.sqrt(fanIn) };
}

export class GraphBuilder {
  private readonly tensors = new Map<string, Tensor>();
  private readonly params = new Map<string, Param>();
  private readonly nodes: Node[] = [];
  private readonly layers: { scope: string; module: string }[] = [];
  private scopes: { name: string; module: string; layer: string }[] = [];
  /** Report layer of nodes created inside `root`. */
  private rootLayer = '';
  private readonly used = new Set<string>();
  readonly input: T;

  constructor(
    private readonly name: string,
    inputShape: readonly number[],
    inputName = 'images',
  ) {
    this.tensors.set(inputName, { name: inputName, shape: inputShape });
    this.input = inputName;
  }

  /** Runs `fn` inside a named module scope; scopes two deep (e.g. `backbone.3`) are report layers. */
  module<R>(name: string | number, moduleType: string, fn: () => R): R {
    const outer = this.scopes[this.scopes.length - 1]?.layer ?? '';
    this.scopes.push({ name: String(name), module: moduleType, layer: outer });
    if (this.scopes.length === 2) {
      const scope = this.scopePath();
      this.layers.push({ scope, module: moduleType });
      this.scopes[1] = { name: String(name), module: moduleType, layer: scope };
    }
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** Runs `fn` outside every module scope, so its nodes get plain names (graph outputs). */
  root<R>(fn: () => R): R {
    const saved = this.scopes;
    const savedLayer = this.rootLayer;
    this.rootLayer = saved[saved.length - 1]?.layer ?? '';
    this.scopes = [];
    try {
      return fn();
    } finally {
      this.scopes = saved;
      this.rootLayer = savedLayer;
    }
  }

  shape(t: T): readonly number[] {
    const s = this.tensors.get(t)?.shape ?? this.params.get(t)?.shape;
    if (!s) throw new GraphError(`unknown tensor ${t}`);
    return s;
  }

  channels(t: T): number {
    const c = this.shape(t)[0];
    if (c === undefined) throw new GraphError(`tensor ${t} has no channel axis`);
    return c;
  }

  private scopePath(): string {
    return this.scopes.map((s) => s.name).join('.');
  }

  private unique(local: string): string {
    const base = [this.scopePath(), local].filter((p) => p.length > 0).join('.');
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Declares a constant parameter; its name is scoped to the current module. */
  param(local: string, shape: readonly number[], init: Init, counted = true, trainable = true): string {
    const name = this.unique(local);
    this.params.set(name, { name, shape, init, counted, trainable });
    return name;
  }

  /** Appends a node; returns its output tensor names. */
  op(local: string, op: Op, inputs: readonly T[], params: readonly string[] = []): T[] {
    const name = this.unique(local);
    const outs = inferShapes(op, inputs.map((i) => this.shape(i)), name);
    const outputs = outs.map((shape, i) => {
      const tname = outs.length === 1 ? name : `${name}:${i}`;
      this.tensors.set(tname, { name: tname, shape });
      return tname;
    });
    const top = this.scopes[this.scopes.length - 1];
    this.nodes.push({ name, op, inputs: [...inputs], params: [...params], outputs, scope: this.scopePath(), module: top?.module ?? 'Graph', layer: top?.layer ?? this.rootLayer });
    return [...outputs];
  }

  private one(local: string, op: Op, inputs: readonly T[], params: readonly string[] = []): T {
    const [out] = this.op(local, op, inputs, params);
    if (out === undefined) throw new GraphError(`${local} produced no output`);
    return out;
  }

  conv(x: T, spec: ConvSpec, local = 'conv'): T {
    const k = spec.k ?? 1;
    const groups = spec.groups ?? 1;
    const dilation = spec.dilation ?? 1;
    const cin = this.channels(x);
    const fanIn = (cin / groups) * k * k;
    const op: Op = {
      kind: 'conv',
      cout: spec.cout,
      k,
      stride: spec.stride ?? 1,
      pad: spec.pad ?? Math.floor((dilation * (k - 1) + 1) / 2),
      dilation,
      groups,
    };
    if (!Number.isInteger(cin / groups)) throw new GraphError(`${this.scopePath()}: ${cin} channels not divisible by ${groups} groups`);
    const w = this.param(`${local}.weight`, [spec.cout, cin / groups, k, k], fanInBound(fanIn));
    const params = [w];
    if (spec.bias) params.push(this.param(`${local}.bias`, [spec.cout], spec.biasInit ?? fanInBound(fanIn)));
    return this.one(local, op, [x], params);
  }

  convTranspose(x: T, spec: { cout: number; k: number; stride: number; pad?: number; bias?: boolean }, local = 'upsample'): T {
    const cin = this.channels(x);
    // torch computes fan_in of a ConvTranspose weight [cin, cout, k, k] from its dim 1.
    const fanIn = spec.cout * spec.k * spec.k;
    const w = this.param(`${local}.weight`, [cin, spec.cout, spec.k, spec.k], fanInBound(fanIn));
    const params = [w];
    if (spec.bias ?? true) params.push(this.param(`${local}.bias`, [spec.cout], fanInBound(fanIn)));
    return this.one(local, { kind: 'convTranspose', cout: spec.cout, k: spec.k, stride: spec.stride, pad: spec.pad ?? 0 }, [x], params);
  }

  batchNorm(x: T, eps: number, local = 'bn'): T {
    const c = this.channels(x);
    const params = [
      this.param(`${local}.weight`, [c], { kind: 'constant', value: 1 }),
      this.param(`${local}.bias`, [c], { kind: 'constant', value: 0 }),
      this.param(`${local}.running_mean`, [c], { kind: 'constant', value: 0 }, false, false),
      this.param(`${local}.running_var`, [c], { kind: 'constant', value: 1 }, false, false),
    ];
    return this.one(local, { kind: 'batchNorm', eps }, [x], params);
  }

  act(x: T, fn: ActFn, local = 'act'): T {
    return this.one(local, { kind: 'act', fn }, [x]);
  }

  add(a: T, b: T, local = 'add'): T {
    return this.one(local, { kind: 'add' }, [a, b]);
  }

  sub(a: T, b: T, local = 'sub'): T {
    return this.one(local, { kind: 'sub' }, [a, b]);
  }

  mul(a: T, b: T, local = 'mul'): T {
    return this.one(local, { kind: 'mul' }, [a, b]);
  }

  concat(xs: readonly T[], axis = 0, local = 'cat'): T {
    if (xs.length === 1 && xs[0] !== undefined) return xs[0];
    return this.one(local, { kind: 'concat', axis }, xs);
  }

  split(x: T, sizes: readonly number[], axis = 0, local = 'split'): T[] {
    return this.op(local, { kind: 'split', axis, sizes }, [x]);
  }

  maxPool(x: T, k: number, stride: number, pad = Math.floor(k / 2), local = 'pool'): T {
    return this.one(local, { kind: 'maxPool', k, stride, pad }, [x]);
  }

  upsample(x: T, scale = 2, local = 'up'): T {
    return this.one(local, { kind: 'resize', scale }, [x]);
  }

  reshape(x: T, shape: readonly number[], local = 'reshape'): T {
    return this.one(local, { kind: 'reshape', shape }, [x]);
  }

  transpose(x: T, perm: readonly number[], local = 'transpose'): T {
    return this.one(local, { kind: 'transpose', perm }, [x]);
  }

  softmax(x: T, axis: number, local = 'softmax'): T {
    return this.one(local, { kind: 'softmax', axis }, [x]);
  }

  finish(outputs: readonly T[], features: readonly T[] = []): Graph {
    for (const o of [...outputs, ...features]) if (!this.tensors.has(o)) throw new GraphError(`output ${o} is not a tensor of the graph`);
    return {
      name: this.name,
      input: this.tensors.get(this.input) as Tensor,
      outputs,
      tensors: new Map(this.tensors),
      params: new Map(this.params),
      nodes: [...this.nodes],
      layers: [...this.layers],
      features: [...features],
    };
  }
}
