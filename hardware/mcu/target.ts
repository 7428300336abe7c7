// The `mcu:<board>` target: the analytic int8 model of estimate.ts behind the Target interface.
// Its numbers are predictions (source 'predicted'), a single value each, spread-free.
import { pointSpread } from '../spread.js';
import type { Candidate, Environment, Measurement, Target } from '../types.js';
import { findBoard, type Board } from './boards.js';
import { estimateMcu, type McuEstimate, type McuOptions } from './estimate.js';

export interface McuTargetOptions {
  readonly compress?: 'none' | 'lz4';
  /** Seed of the candidate's weights (they matter when compressed). Default 0. */
  readonly seed?: number;
}

export function mcuEnvironment(estimate: McuEstimate, seed: number): Environment {
  const { board, memory, flash, placement } = estimate;
  return {
    board: board.id,
    boardName: board.name,
    core: board.core,
    clockMHz: board.clockMHz,
    compress: estimate.compress,
    seed,
    model: 'analytic int8 TFLite-Micro + CMSIS-NN',
    arenaBytes: memory.arenaBytes,
    persistentBytes: memory.persistentBytes,
    weightBytes: flash.storedWeightBytes,
    codeBytes: flash.codeBytes,
    ops: estimate.model.ops.length,
    externalRam: placement.externalRam,
    externalFlash: placement.externalFlash,
  };
}

/** The measurement of one estimate, as the Target interface returns it. */
export function mcuMeasurement(estimate: McuEstimate, id: string, seed: number): Measurement {
  return {
    target: `mcu:${estimate.board.id}`,
    id,
    source: 'predicted',
    latencyMs: pointSpread(estimate.latency.ms),
    ramBytes: estimate.memory.ramBytes,
    flashBytes: estimate.flash.totalBytes,
    fit: estimate.fit,
    environment: mcuEnvironment(estimate, seed),
  };
}

/** A target for the board with this id (case-insensitive); unknown ids throw HardwareError. */
export function mcuTarget(boardId: string, options: McuTargetOptions = {}): Target {
  const board: Board = findBoard(boardId);
  const compress = options.compress ?? 'none';
  if (compress !== 'none' && compress !== 'lz4') throw new RangeError(`mcu target: compress must be 'none' or 'lz4', got '${String(compress)}'`);
  const seed = options.seed ?? 0;
  const estimateOptions: McuOptions = { compress, seed };
  return {
    name: `mcu:${board.id}`,
    kind: 'mcu',
    async measure(candidate: Candidate, progress?: (message: string) => void): Promise<Measurement> {
      progress?.(`mcu:${board.id}: modelling ${candidate.id} (int8, ${compress === 'lz4' ? 'LZ4 weights' : 'raw weights'})`);
      return mcuMeasurement(estimateMcu(candidate.graph, board, estimateOptions), candidate.id, seed);
    },
    async close(): Promise<void> {},
  };
}
