// Latency of an int8 deployment: for each op, MACs * cycles-per-MAC(core, kind) for convs, or
// elements * cycles-per-element for everything else, plus a fixed per-op overhead; divided by the clock.
//
// Cycles per MAC are the published whole-network int8 figures (MLPerf Tiny v1.1 with X-CUBE-AI, as the
// spec quotes them): Cortex-M4 at 120 MHz ~2.1 cycles/MAC on ResNet-8 (dense 3x3 convs) and ~3.5 on
// MobileNetV1-0.25 (VWW, depthwise-heavy); Cortex-M7 at 280 MHz ~1.23 and ~1.88. We use the dense
// figure for every dense conv (1x1 and kxk; CMSIS-NN's 1x1 path skips im2col, so it is no slower per
// MAC) and the depthwise-heavy figure for depthwise convs. These already include those networks'
// per-layer overheads, so the model is somewhat pessimistic for large layers and optimistic for tiny ones.
// Cortex-M33: no published figure in the spec. It runs the same DSP instructions CMSIS-NN uses
// (SMLAD dual 16-bit MACs) on a similar 3-stage single-issue pipeline as the M4, so it takes the M4
// figures. The M7's dual-issue pipeline explains its lower figures; non-MAC ops scale by the same
// ratio (1.23 / 2.1) on the M7.
// TRANSPOSE_CONV has no CMSIS-NN kernel; TFLM's scalar reference runs it: assumed 2x the dense figure.
import type { Board, Core } from './boards.js';
import type { CostClass, LoweredModel, McuOp, McuOpKind } from './lower.js';

type MacClass = Extract<CostClass, 'conv1x1' | 'convKxK' | 'depthwise' | 'transposeConv'>;

const M4_MAC: Readonly<Record<MacClass, number>> = { conv1x1: 2.1, convKxK: 2.1, depthwise: 3.5, transposeConv: 4.2 };
const M7_MAC: Readonly<Record<MacClass, number>> = { conv1x1: 1.23, convKxK: 1.23, depthwise: 1.88, transposeConv: 2.46 };

export const CYCLES_PER_MAC: Readonly<Record<Core, Readonly<Record<MacClass, number>>>> = {
  'cortex-m4': M4_MAC,
  'cortex-m7': M7_MAC,
  'cortex-m33': M4_MAC,
};

/**
 * Cortex-M4 cycles per output element of non-MAC ops (MAX_POOL_2D: per window element). Estimates
 * from the kernels' inner loops, not measurements: CMSIS-NN's int8 add / mul requantise each element
 * with two or three fixed-point multiplies (~6); relu is a clamp (1); LOGISTIC (TFLM's integer
 * reference) and SOFTMAX (arm_softmax_s8) evaluate a fixed-point exponential per element (~40);
 * copies move ~2 bytes per cycle (0.5); TRANSPOSE computes an index per element (4).
 */
export const M4_CYCLES_PER_ELEMENT: Readonly<Record<Exclude<McuOpKind, 'CONV_2D' | 'DEPTHWISE_CONV_2D' | 'TRANSPOSE_CONV'>, number>> = {
  ADD: 6,
  SUB: 6,
  MUL: 6,
  RELU: 1,
  RELU6: 1,
  LEAKY_RELU: 4,
  HARD_SWISH: 8,
  LOGISTIC: 40,
  SOFTMAX: 40,
  MAX_POOL_2D: 1,
  CONCATENATION: 0.5,
  SPLIT_V: 0.5,
  RESHAPE: 0.5,
  RESIZE_NEAREST_NEIGHBOR: 2,
  TRANSPOSE: 4,
};

/** Per-element figures relative to the M4. */
const ELEMENT_SCALE: Readonly<Record<Core, number>> = { 'cortex-m4': 1, 'cortex-m33': 1, 'cortex-m7': 1.23 / 2.1 };

/** Fixed cycles per op: TFLM's Invoke loop, kernel dispatch, CMSIS-NN wrapper selection (an estimate). */
export const PER_OP_OVERHEAD_CYCLES = 2000;

/** LZ4 decompression, Cortex-M4 cycles per output byte (LZ4 decoding is copy-bound; an estimate). */
export const LZ4_CYCLES_PER_BYTE = 4;

/**
 * Slow-down when the activation arena lives in external SDRAM (every op reads and writes it through
 * the FMC bus) and when weights are read from memory-mapped QSPI / OSPI flash (only weighted ops).
 * Assumed, not measured: a QEMU or board run should calibrate them.
 */
export const EXTERNAL_RAM_FACTOR = 1.6;
export const EXTERNAL_FLASH_FACTOR = 1.25;

export interface LatencyOptions {
  /** The arena only fits in external RAM. */
  readonly externalRam?: boolean;
  /** The weights only fit in external flash. */
  readonly externalFlash?: boolean;
  /** Bytes each op decompresses (LZ4) before it runs, by op name. */
  readonly decompress?: ReadonlyMap<string, number>;
}

export interface OpLatency {
  readonly op: string;
  readonly cycles: number;
  readonly ms: number;
}

export interface McuLatency {
  readonly cycles: number;
  readonly ms: number;
  readonly perOp: readonly OpLatency[];
}

const isMacClass = (c: CostClass): c is MacClass => c === 'conv1x1' || c === 'convKxK' || c === 'depthwise' || c === 'transposeConv';

/** Cycles of one op on `core` (no external-memory penalty, no decompression). */
export function opCycles(op: McuOp, core: Core): number {
  if (isMacClass(op.costClass)) return op.macs * CYCLES_PER_MAC[core][op.costClass] + PER_OP_OVERHEAD_CYCLES;
  const kind = op.kind as keyof typeof M4_CYCLES_PER_ELEMENT;
  const perElement = (M4_CYCLES_PER_ELEMENT[kind] ?? 6) * ELEMENT_SCALE[core];
  const outElems = op.outputs.reduce((a, t) => a + t.bytes, 0);
  const window = op.source.kind === 'maxPool' ? op.source.k * op.source.k : 1;
  return outElems * window * perElement + PER_OP_OVERHEAD_CYCLES;
}

export function latencyOf(model: LoweredModel, board: Board, options: LatencyOptions = {}): McuLatency {
  const hz = board.clockMHz * 1e6;
  const perOp = model.ops.map((op) => {
    let cycles = opCycles(op, board.core);
    if (options.externalFlash && op.conv) cycles += (cycles - PER_OP_OVERHEAD_CYCLES) * (EXTERNAL_FLASH_FACTOR - 1);
    if (options.externalRam) cycles *= EXTERNAL_RAM_FACTOR;
    cycles += (options.decompress?.get(op.name) ?? 0) * LZ4_CYCLES_PER_BYTE * ELEMENT_SCALE[board.core];
    return { op: op.name, cycles, ms: (cycles / hz) * 1000 };
  });
  const cycles = perOp.reduce((a, o) => a + o.cycles, 0);
  return { cycles, ms: (cycles / hz) * 1000, perOp };
}
