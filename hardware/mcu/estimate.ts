// The whole analytic model for one graph on one board: lowering, arena plan, flash, latency and fit.
import type { Graph, Weights } from '../../nn/index.js';
import type { Fit } from '../types.js';
import { formatBytes, type Board } from './boards.js';
import { decompressionBuffers, flashOf, type Compression, type McuFlash } from './flash.js';
import { latencyOf, type McuLatency } from './latency.js';
import { lowerGraph, type LoweredModel } from './lower.js';
import { planMemory, type McuMemory } from './memory.js';

export interface McuOptions {
  /** Store weights LZ4-compressed per layer. Default 'none'. */
  readonly compress?: Compression;
  /** Seed of the candidate's weights (used when they are compressed). Default 0. */
  readonly seed?: number;
  /** Weights to use instead of the seeded ones. */
  readonly weights?: Weights;
}

export interface McuPlacement {
  /** The arena (and bookkeeping) lives in external SDRAM. */
  readonly externalRam: boolean;
  /** Weights, biases and constants live in external flash. */
  readonly externalFlash: boolean;
}

export interface McuEstimate {
  readonly board: Board;
  readonly compress: Compression;
  readonly model: LoweredModel;
  readonly memory: McuMemory;
  readonly flash: McuFlash;
  readonly latency: McuLatency;
  readonly placement: McuPlacement;
  readonly fit: Fit;
}

export function estimateMcu(graph: Graph, board: Board, options: McuOptions = {}): McuEstimate {
  const compress = options.compress ?? 'none';
  const model = lowerGraph(graph);
  const flash = flashOf(graph, model, { compress, seed: options.seed, weights: options.weights });
  const decompress = decompressionBuffers(flash);
  const memory = planMemory(model, { extraScratch: decompress });
  const { placement, fit } = fitOf(board, memory, flash);
  const latency = latencyOf(model, board, { ...placement, decompress });
  return { board, compress, model, memory, flash, latency, placement, fit };
}

/** Whether RAM and flash fit the board, using external memory when only that is large enough. */
export function fitOf(board: Board, memory: McuMemory, flash: McuFlash): { placement: McuPlacement; fit: Fit } {
  const reasons: string[] = [];
  let fits = true;
  let externalRam = false;
  let externalFlash = false;

  const ram = memory.ramBytes;
  if (ram > board.ramBytes) {
    const what = `RAM: activation arena ${formatBytes(memory.arenaBytes)} + bookkeeping ${formatBytes(memory.persistentBytes)} = ${formatBytes(ram)} exceeds the ${formatBytes(board.ramBytes)} internal RAM of ${board.name}`;
    const ext = board.externalRamBytes;
    if (ext !== undefined && ram <= ext) {
      externalRam = true;
      reasons.push(`${what}; fits only using the external ${formatBytes(ext)} SDRAM (slower)`);
    } else {
      fits = false;
      reasons.push(ext === undefined ? `${what}, and the board has no external RAM` : `${what} and its ${formatBytes(ext)} external SDRAM`);
    }
  }

  if (flash.totalBytes > board.flashBytes) {
    const what = `flash: weights and quantisation data ${formatBytes(flash.modelBytes)} + runtime code ${formatBytes(flash.codeBytes)} = ${formatBytes(flash.totalBytes)} exceeds the ${formatBytes(board.flashBytes)} internal flash of ${board.name}`;
    const ext = board.externalFlashBytes;
    if (ext !== undefined && flash.modelBytes <= ext && flash.codeBytes <= board.flashBytes) {
      externalFlash = true;
      reasons.push(`${what}; fits only using the external ${formatBytes(ext)} flash (slower)`);
    } else {
      fits = false;
      reasons.push(ext === undefined ? `${what}, and the board has no external flash` : `${what} and its ${formatBytes(ext)} external flash`);
    }
  }
  return { placement: { externalRam, externalFlash }, fit: { fits, reasons } };
}
