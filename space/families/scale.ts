// Channel and repeat scaling shared by all families.
import type { Genome } from '../genome.js';
import type { Scaler, Stage } from './types.js';

/** Python's round(): halves go to the even neighbour (round(4.5) == 4), as in the PyTorch configs. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  const isHalf = Math.abs(x - Math.trunc(x)) === 0.5;
  return isHalf && r % 2 !== 0 ? r - 1 : r;
}

export function makeDivisible(x: number, divisor = 8): number {
  // Same IEEE arithmetic as the Python configs: math.ceil(x / divisor) * divisor.
  return Math.ceil(x / divisor) * divisor;
}

export function scaler(genome: Genome, maxChannels: number): Scaler {
  return {
    ch: (c, stage?: Stage) => makeDivisible(Math.min(c, maxChannels) * genome.width * (stage === undefined ? 1 : genome.stageWidth[stage])),
    n: (repeats, stage?: Stage) =>
      repeats > 1 ? Math.max(roundHalfEven(repeats * genome.depth * (stage === undefined ? 1 : genome.stageDepth[stage])), 1) : repeats,
  };
}
