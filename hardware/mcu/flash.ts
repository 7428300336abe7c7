// Flash of an int8 deployment. What is counted, exactly:
//  - int8 conv weights: 1 byte per element (BN folded, so a conv and its BN store one kernel);
//  - int32 biases: 4 bytes per output channel of every conv;
//  - per-channel quantisation parameters, as the TFLite flatbuffer stores them: for each output
//    channel, the weight tensor's scale (float32) and zero point (int64), and the bias tensor's
//    scale (float32) and zero point (int64): 24 bytes per channel;
//  - constant operands (anchor grids, strides, unfolded-BN scale / shift): int8, 1 byte per element,
//    plus one float32 scale and int64 zero point per constant tensor (12 bytes); each tensor once,
//    however many ops read it;
//  - runtime code: a constant (RUNTIME_CODE_BYTES).
// Not counted: the flatbuffer's graph structure (tensor and op tables, names, shapes), tens of bytes
// per tensor, and the application around the model.
//
// Optionally the int8 weights are stored LZ4-compressed, layer by layer, as in EAST: each conv's
// weights are serialized in TFLite layout and compressed with the real LZ4 (lz4-napi, block format
// with its 4-byte length prefix); a layer that does not shrink is stored raw. LZ4 has no entropy
// coder, so the dense random weights of a freshly initialised candidate do NOT shrink: expect
// 'lz4' to equal 'none' for them. Only zeros in contiguous groups (group-pruned weights) compress.
import { compressSync } from 'lz4-napi';
import { initWeights, type Graph, type Weights } from '../../nn/index.js';
import type { LoweredModel } from './lower.js';
import { quantizeConv, tfliteLayout } from './quant.js';

/**
 * Runtime code flash: 53.51 KiB, the code flash ST's model zoo reports for st_yolo_lc_v1 (int8,
 * X-CUBE-AI, STM32H747I-DISCO), the one detector reference in the spec. TFLM with CMSIS-NN kernels
 * is of the same order; the exact figure depends on the ops linked in.
 */
export const RUNTIME_CODE_BYTES = Math.round(53.51 * 1024);
/** Weight scale f32 + weight zero point i64 + bias scale f32 + bias zero point i64. */
export const QUANT_PARAM_BYTES_PER_CHANNEL = 4 + 8 + 4 + 8;
/** Per-tensor scale f32 + zero point i64 of a constant operand. */
export const CONST_QUANT_BYTES = 4 + 8;
export const BIAS_BYTES = 4;

export type Compression = 'none' | 'lz4';

export interface FlashOptions {
  readonly compress?: Compression;
  /** Seed of the candidate's weights (initWeights). Default 0. */
  readonly seed?: number;
  /** Weights to use instead of the seeded ones (e.g. pruned weights). */
  readonly weights?: Weights;
}

export interface FlashLayer {
  /** The op (conv) these weights belong to. */
  readonly op: string;
  readonly layer: string;
  /** int8 weight bytes before compression. */
  readonly weightBytes: number;
  /** Bytes stored: the LZ4 size when it is smaller, else the raw size. */
  readonly storedBytes: number;
  readonly compressed: boolean;
}

export interface McuFlash {
  readonly compress: Compression;
  /** int8 weight bytes (uncompressed). */
  readonly weightBytes: number;
  /** Weight bytes as stored (after LZ4 where it helps). */
  readonly storedWeightBytes: number;
  /** int32 bias elements and bytes. */
  readonly biases: number;
  readonly biasBytes: number;
  /** Per-channel quantisation entries (output channels of all convs) and their bytes. */
  readonly channels: number;
  readonly quantParamBytes: number;
  /** int8 constant-operand bytes and their count of tensors. */
  readonly constantBytes: number;
  readonly constantTensors: number;
  readonly codeBytes: number;
  /** Everything but the runtime code: what could move to external flash. */
  readonly modelBytes: number;
  readonly totalBytes: number;
  /** Per conv, in op order. */
  readonly layers: readonly FlashLayer[];
}

/** Size of LZ4(data) as lz4-napi writes it (block format with a 4-byte length prefix). */
export function lz4Bytes(data: Uint8Array | Int8Array): number {
  return compressSync(Buffer.from(data.buffer, data.byteOffset, data.byteLength)).length;
}

export function flashOf(graph: Graph, model: LoweredModel, options: FlashOptions = {}): McuFlash {
  const compress = options.compress ?? 'none';
  // Weights are only generated when their values matter (LZ4); counts need shapes alone.
  const weights = compress === 'lz4' ? (options.weights ?? initWeights(graph, options.seed ?? 0)) : undefined;
  const layers: FlashLayer[] = [];
  let weightBytes = 0;
  let storedWeightBytes = 0;
  let biases = 0;
  let channels = 0;
  let constantBytes = 0;
  let constantTensors = 0;
  const seen = new Set<string>();
  for (const op of model.ops) {
    biases += op.biases;
    channels += op.channels;
    // A constant read by several ops (the anchor grid) is stored once.
    for (const c of op.constants) {
      if (seen.has(c.name)) continue;
      seen.add(c.name);
      constantBytes += c.elements;
      constantTensors += 1;
    }
    if (!op.conv) continue;
    weightBytes += op.weights;
    let stored = op.weights;
    if (weights) {
      const packed = lz4Bytes(tfliteLayout(op, quantizeConv(op.conv, weights)));
      stored = Math.min(packed, op.weights);
    }
    storedWeightBytes += stored;
    layers.push({ op: op.name, layer: op.layer, weightBytes: op.weights, storedBytes: stored, compressed: stored < op.weights });
  }
  const biasBytes = biases * BIAS_BYTES;
  const quantParamBytes = channels * QUANT_PARAM_BYTES_PER_CHANNEL;
  const modelBytes = storedWeightBytes + biasBytes + quantParamBytes + constantBytes + constantTensors * CONST_QUANT_BYTES;
  return {
    compress,
    weightBytes,
    storedWeightBytes,
    biases,
    biasBytes,
    channels,
    quantParamBytes,
    constantBytes,
    constantTensors,
    codeBytes: RUNTIME_CODE_BYTES,
    modelBytes,
    totalBytes: modelBytes + RUNTIME_CODE_BYTES,
    layers,
  };
}

/** Per-op RAM buffers the LZ4 loader needs: a compressed layer is decompressed into RAM for its op. */
export function decompressionBuffers(flash: McuFlash): Map<string, number> {
  return new Map(flash.layers.filter((l) => l.compressed).map((l) => [l.op, l.weightBytes]));
}
