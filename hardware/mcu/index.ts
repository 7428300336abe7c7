// hardware/mcu: the microcontroller (int8 TFLite-Micro + CMSIS-NN) cost model: board database,
// lowering, arena planner, flash and latency models, the `mcu:<board>` target, a per-layer report
// and an int8 QDQ ONNX export.
export { BOARDS, findBoard, formatBytes, type Board, type Core } from './boards.js';
export { lowerGraph, outputElements, type CostClass, type FusedActivation, type LoweredModel, type McuConst, type McuConv, type McuOp, type McuOpKind, type McuTensor } from './lower.js';
export { planArena, TFLM_BUFFER_ALIGNMENT, type ArenaBuffer, type ArenaOptions, type ArenaPlan, type OpMemory, type PlacedBuffer } from './arena.js';
export { modelBuffers, planMemory, scratchBytes, OP_BOOKKEEPING_BYTES, PER_CHANNEL_REQUANT_BYTES, TENSOR_BOOKKEEPING_BYTES, type McuMemory, type MemoryOptions } from './memory.js';
export { foldConv, quantizeConst, quantizeConv, quantizeModel, tfliteLayout, NOMINAL_ACTIVATION_SCALE, type QuantizedConst, type QuantizedConv } from './quant.js';
export {
  BIAS_BYTES,
  CONST_QUANT_BYTES,
  QUANT_PARAM_BYTES_PER_CHANNEL,
  RUNTIME_CODE_BYTES,
  decompressionBuffers,
  flashOf,
  lz4Bytes,
  type Compression,
  type FlashLayer,
  type FlashOptions,
  type McuFlash,
} from './flash.js';
export {
  CYCLES_PER_MAC,
  EXTERNAL_FLASH_FACTOR,
  EXTERNAL_RAM_FACTOR,
  LZ4_CYCLES_PER_BYTE,
  M4_CYCLES_PER_ELEMENT,
  PER_OP_OVERHEAD_CYCLES,
  latencyOf,
  opCycles,
  type LatencyOptions,
  type McuLatency,
  type OpLatency,
} from './latency.js';
export { estimateMcu, fitOf, type McuEstimate, type McuOptions, type McuPlacement } from './estimate.js';
export { mcuEnvironment, mcuMeasurement, mcuTarget, type McuTargetOptions } from './target.js';
export { toInt8Onnx, type Int8OnnxOptions } from './int8-onnx.js';
export { formatMcuReport, mcuReport, type McuReport, type McuReportRow } from './report.js';
