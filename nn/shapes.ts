// Shape inference per op, on per-sample shapes (batch excluded).
import { GraphError, type Graph, type Op } from './graph.js';

type Shape = readonly number[];

function convOut(size: number, k: number, stride: number, pad: number, dilation: number): number {
  return Math.floor((size + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
}

function broadcast(a: Shape, b: Shape, what: string): Shape {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new GraphError(`${what}: shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    out.push(Math.max(x, y));
  }
  return out;
}

function at(shape: Shape, i: number): number {
  const v = shape[i];
  if (v === undefined) throw new GraphError(`shape [${shape.join(', ')}] has no axis ${i}`);
  return v;
}

/** Output shapes of `op` given its input shapes (activations or constant operands). */
export function inferShapes(op: Op, inputs: readonly Shape[], where: string = op.kind): Shape[] {
  const first = inputs[0];
  if (first === undefined) throw new GraphError(`${where}: no input`);
  switch (op.kind) {
    case 'conv': {
      const [c, h, w] = [at(first, 0), at(first, 1), at(first, 2)];
      if (c % op.groups !== 0 || op.cout % op.groups !== 0)
        throw new GraphError(`${where}: channels ${c} -> ${op.cout} not divisible by groups ${op.groups}`);
      const ho = convOut(h, op.k, op.stride, op.pad, op.dilation);
      const wo = convOut(w, op.k, op.stride, op.pad, op.dilation);
      if (ho < 1 || wo < 1) throw new GraphError(`${where}: input ${h}x${w} too small for a ${op.k}x${op.k} stride-${op.stride} conv`);
      return [[op.cout, ho, wo]];
    }
    case 'convTranspose': {
      const [h, w] = [at(first, 1), at(first, 2)];
      return [[op.cout, (h - 1) * op.stride - 2 * op.pad + op.k, (w - 1) * op.stride - 2 * op.pad + op.k]];
    }
    case 'batchNorm':
    case 'act':
      return [first];
    case 'add':
    case 'sub':
    case 'mul': {
      const second = inputs[1];
      if (second === undefined) throw new GraphError(`${where}: needs two operands`);
      return [broadcast(first, second, where)];
    }
    case 'concat': {
      const out = [...first];
      const axis = op.axis;
      out[axis] = 0;
      for (const s of inputs) {
        if (s.length !== first.length) throw new GraphError(`${where}: concat of ranks ${first.length} and ${s.length}`);
        s.forEach((d, i) => {
          if (i !== axis && d !== first[i])
            throw new GraphError(`${where}: concat of [${first.join(', ')}] and [${s.join(', ')}] along axis ${axis}`);
        });
        out[axis] = (out[axis] ?? 0) + at(s, axis);
      }
      return [out];
    }
    case 'split': {
      const total = op.sizes.reduce((a, b) => a + b, 0);
      if (total !== at(first, op.axis)) throw new GraphError(`${where}: split sizes ${op.sizes.join('+')} != ${at(first, op.axis)}`);
      return op.sizes.map((s) => first.map((d, i) => (i === op.axis ? s : d)));
    }
    case 'maxPool': {
      const [c, h, w] = [at(first, 0), at(first, 1), at(first, 2)];
      return [[c, convOut(h, op.k, op.stride, op.pad, 1), convOut(w, op.k, op.stride, op.pad, 1)]];
    }
    case 'resize':
      return [[at(first, 0), at(first, 1) * op.scale, at(first, 2) * op.scale]];
    case 'reshape': {
      const n = first.reduce((a, b) => a * b, 1);
      const m = op.shape.reduce((a, b) => a * b, 1);
      if (n !== m) throw new GraphError(`${where}: cannot reshape [${first.join(', ')}] to [${op.shape.join(', ')}]`);
      return [op.shape];
    }
    case 'transpose':
      return [op.perm.map((p) => at(first, p))];
    case 'softmax':
      return [first];
  }
}

/** Re-derives every tensor's shape from the input and checks it against the stored one. */
export function checkShapes(graph: Graph): void {
  for (const node of graph.nodes) {
    const shapes = node.inputs.map((name) => {
      const t = graph.tensors.get(name) ?? graph.params.get(name);
      if (!t) throw new GraphError(`${node.name}: unknown input ${name}`);
      return t.shape;
    });
    const outs = inferShapes(node.op, shapes, node.name);
    node.outputs.forEach((name, i) => {
      const stored = graph.tensors.get(name)?.shape;
      const derived = outs[i];
      if (!stored || !derived || stored.join() !== derived.join())
        throw new GraphError(`${node.name}: output ${name} has shape [${stored?.join(', ')}], inference gives [${derived?.join(', ')}]`);
    });
  }
}
