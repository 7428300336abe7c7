// RAM of an int8 TFLite-Micro deployment: the activation arena (tensors and per-op scratch, planned
// greedily by arena.ts) plus the interpreter's persistent bookkeeping.
import { planArena, type ArenaBuffer, type ArenaPlan } from './arena.js';
import type { LoweredModel, McuOp } from './lower.js';

/**
 * Bookkeeping per op, in bytes: TFLM's TfLiteNode, its registration and the kernel's OpData / builtin
 * params in the persistent arena. The spec gives ~100-200 bytes per tensor/op; we take 128 per op.
 */
export const OP_BOOKKEEPING_BYTES = 128;
/** Per tensor (activations, weights, biases, constants): one TfLiteEvalTensor (12 bytes on 32-bit), rounded to the 16-byte alignment. */
export const TENSOR_BOOKKEEPING_BYTES = 16;
/** Per output channel of a conv: TFLM's per-channel output multiplier and shift, int32 each, in the persistent arena. */
export const PER_CHANNEL_REQUANT_BYTES = 8;

const align4 = (n: number): number => Math.ceil(n / 4) * 4;

/**
 * CMSIS-NN int8 scratch (the DSP code path of Cortex-M4 / M7 / M33) an op asks TFLM for:
 *  - CONV_2D through arm_convolve_s8: im2col of two output columns as int16,
 *    2 * align4(C_in/groups * kh * kw) * 2 bytes (the spec's figure);
 *  - a 1x1 conv without padding or dilation runs arm_convolve_1x1_s8(_fast): none;
 *  - DEPTHWISE_CONV_2D with channel multiplier 1: the 3x3 kernel (padding <= 1, no dilation) needs
 *    none, otherwise arm_depthwise_conv_s8_opt takes C_in * kh * kw int16 (C_in * kh * kw * 2 bytes);
 *    a channel multiplier > 1 runs the plain arm_depthwise_conv_s8: none;
 *  - TRANSPOSE_CONV (TFLM's reference kernel, no CMSIS-NN version) accumulates the whole output as
 *    int32: 4 bytes per output element;
 *  - every other op: none.
 */
export function scratchBytes(op: McuOp): number {
  const c = op.conv;
  if (!c) return 0;
  if (op.kind === 'TRANSPOSE_CONV') return 4 * op.outputs.reduce((a, t) => a + t.bytes, 0);
  if (op.kind === 'DEPTHWISE_CONV_2D') {
    if (c.cout !== c.cin) return 0;
    if (c.k === 3 && c.pad <= 1 && c.dilation === 1) return 0;
    return c.cin * c.k * c.k * 2;
  }
  if (c.k === 1 && c.pad === 0 && c.dilation === 1) return 0;
  return 2 * align4((c.cin / c.groups) * c.k * c.k) * 2;
}

export interface McuMemory {
  readonly plan: ArenaPlan;
  /** Scratch bytes per op (index as in the lowered model), LZ4 decompression buffers included. */
  readonly scratch: readonly number[];
  /** The planned (non-persistent) arena: tensors + scratch. */
  readonly arenaBytes: number;
  /** Persistent bookkeeping: per op, per tensor and per conv output channel. */
  readonly persistentBytes: number;
  /** arena + persistent: what the board must provide. */
  readonly ramBytes: number;
}

export interface MemoryOptions {
  /** Extra per-op buffers alive only during the op, e.g. a layer's weights decompressed from LZ4. */
  readonly extraScratch?: ReadonlyMap<string, number>;
  readonly alignment?: number;
}

/** Tensor and scratch buffers of a lowered model, with lifetimes in op indices. */
export function modelBuffers(model: LoweredModel, options: MemoryOptions = {}): { buffers: ArenaBuffer[]; scratch: number[] } {
  const last = Math.max(model.ops.length - 1, 0);
  const first = new Map<string, number>([[model.input.name, 0]]);
  const lastUse = new Map<string, number>();
  model.ops.forEach((op, i) => {
    for (const t of op.outputs) if (!first.has(t.name)) first.set(t.name, i);
    for (const t of op.inputs) lastUse.set(t.name, Math.max(lastUse.get(t.name) ?? 0, i));
  });
  for (const o of model.outputs) lastUse.set(o, last);
  const buffers: ArenaBuffer[] = [];
  for (const [name, at] of first) {
    const t = model.tensors.get(name);
    if (!t) continue;
    buffers.push({ name, bytes: t.bytes, firstOp: at, lastOp: Math.max(at, lastUse.get(name) ?? at) });
  }
  const scratch = model.ops.map((op) => scratchBytes(op) + (options.extraScratch?.get(op.name) ?? 0));
  scratch.forEach((bytes, i) => {
    if (bytes > 0) buffers.push({ name: `${model.ops[i]?.name ?? i}::scratch`, bytes, firstOp: i, lastOp: i });
  });
  return { buffers, scratch };
}

export function planMemory(model: LoweredModel, options: MemoryOptions = {}): McuMemory {
  const { buffers, scratch } = modelBuffers(model, options);
  const plan = planArena(buffers, model.ops.length, { alignment: options.alignment });
  const constants = new Set(model.ops.flatMap((op) => op.constants.map((c) => c.name)));
  let tensors = model.tensors.size + constants.size;
  let channels = 0;
  for (const op of model.ops) {
    // Each conv adds its weight and bias tensors; element-wise ops their constant operands (above).
    tensors += op.conv ? 2 : 0;
    channels += op.conv ? op.channels : 0;
  }
  const persistentBytes = model.ops.length * OP_BOOKKEEPING_BYTES + tensors * TENSOR_BOOKKEEPING_BYTES + channels * PER_CHANNEL_REQUANT_BYTES;
  return { plan, scratch, arenaBytes: plan.arenaBytes, persistentBytes, ramBytes: plan.arenaBytes + persistentBytes };
}
