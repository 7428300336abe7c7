// Hardware costs during a search: predicted, never measured (that is zcnas validate's job). A latency
// predictor from zcnas calibrate gives latency; an mcu board's int8 model gives latency, RAM and flash.
import { dirname, isAbsolute, resolve } from 'node:path';
import { latencyModelOf, openTarget, predictLatency, readPredictor, type Candidate, type LatencyModel, type Target } from '../hardware/index.js';
import type { SearchConfig } from './config.js';

export interface HardwareCosts {
  readonly latency?: number;
  readonly ram?: number;
  readonly flash?: number;
}

export interface HardwareModel {
  costs(candidate: Candidate): Promise<HardwareCosts>;
  close(): Promise<void>;
}

/**
 * Replaces a predictor file name by the predictor itself (its coefficients), so the run directory's
 * config.json holds everything the run needs and a resume is exact even if the file changes later.
 * Relative names are read relative to `baseDir` (the config file's folder, or the working folder).
 */
export function inlinePredictor(config: SearchConfig, baseDir = '.'): SearchConfig {
  const p = config.hardware?.predictor;
  if (typeof p !== 'string') return config;
  const file = isAbsolute(p) ? p : resolve(baseDir, p);
  return { ...config, hardware: { ...config.hardware, predictor: latencyModelOf(readPredictor(file)) } };
}

export function configBaseDir(configFile: string | undefined): string {
  return configFile === undefined ? '.' : dirname(configFile);
}

export async function openHardwareModel(config: SearchConfig): Promise<HardwareModel | undefined> {
  const hw = config.hardware;
  if (!hw || (hw.predictor === undefined && hw.target === undefined)) return undefined;
  const predictor: LatencyModel | undefined = hw.predictor === undefined ? undefined : typeof hw.predictor === 'string' ? latencyModelOf(readPredictor(hw.predictor)) : hw.predictor;
  const board: Target | undefined = hw.target === undefined ? undefined : await openTarget(hw.target, { seed: config.seed });
  return {
    async costs(candidate) {
      const m = board ? await board.measure(candidate) : undefined;
      const latency = predictor ? predictLatency(predictor, candidate.graph) : m?.latencyMs.median;
      return {
        ...(latency === undefined ? {} : { latency }),
        ...(m?.ramBytes === undefined ? {} : { ram: m.ramBytes }),
        ...(m?.flashBytes === undefined ? {} : { flash: m.flashBytes }),
      };
    },
    async close() {
      await board?.close();
    },
  };
}
