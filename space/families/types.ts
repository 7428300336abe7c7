// What a family contributes: a backbone (image -> P2..P5) and a neck (P2..P5 -> P3', P4', P5').
import type { ActFn, BlockCtx, T } from '../../nn/index.js';
import type { Family, Genome } from '../genome.js';

/** Backbone stages by output stride: 0 -> 4 (P2), 1 -> 8 (P3), 2 -> 16 (P4), 3 -> 32 (P5). */
export type Stage = 0 | 1 | 2 | 3;

export interface Features {
  readonly p2: T;
  readonly p3: T;
  readonly p4: T;
  readonly p5: T;
}

/** Channel and repeat scaling of one family under one genome (the YOLOv5/v8 rules). */
export interface Scaler {
  /** ceil(min(c, max_channels) * width * stage width / 8) * 8. */
  ch(c: number, stage?: Stage): number;
  /** Repeats: n > 1 becomes max(round(n * depth * stage depth), 1); n = 1 stays 1. */
  n(repeats: number, stage?: Stage): number;
}

export interface FamilyCtx extends BlockCtx {
  readonly s: Scaler;
  readonly genome: Genome;
  /** Activation replacing the family's own, when the genome asks for one. */
  readonly override: ActFn | undefined;
}

export interface FamilyDef {
  readonly family: Family;
  /** The family's own block activation (v6 l: SiLU; v6 s/m: ReLU; others SiLU). */
  readonly activation: ActFn;
  /** Activation of the detect head when this family's neck feeds it. */
  readonly headActivation: ActFn;
  /** Cap on channels before width scaling, which may depend on the global depth (YOLOv8). */
  maxChannels(depth: number): number;
  backbone(ctx: FamilyCtx, x: T): Features;
  neck(ctx: FamilyCtx, f: Features): readonly [T, T, T];
}

