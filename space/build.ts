// genome -> graph: the backbone of one family, the neck of another, the YOLOv8 detect head.
import { detectHead, GraphBuilder, type Graph } from '../nn/index.js';
import { SpaceError, validateGenome, type Family, type Genome } from './genome.js';
import { genomeId } from './names.js';
import { yolov3, yolov4 } from './families/darknet.js';
import { scaler } from './families/scale.js';
import type { FamilyCtx, FamilyDef } from './families/types.js';
import { yolov5, yolov8 } from './families/ultralytics.js';
import { yolov6l, yolov6m, yolov6s } from './families/v6.js';
import { yolov7 } from './families/v7.js';

export const FAMILY_DEFS: Readonly<Record<Family, FamilyDef>> = {
  v3: yolov3,
  v4: yolov4,
  v5: yolov5,
  v6s: yolov6s,
  v6m: yolov6m,
  v6l: yolov6l,
  v7: yolov7,
  v8: yolov8,
};

/** Ultralytics' initialize_weights sets BatchNorm eps to 1e-3 (deeplite keeps it). */
export const BN_EPS = 1e-3;
export const HEAD_STRIDES = [8, 16, 32] as const;

export interface BuildOptions {
  /** Number of classes of the detect head. Default 80 (COCO), as YOLOBench builds its models. */
  readonly classes?: number;
  /** Apply the detect head's prior biases (Ultralytics Detect.bias_init). Default true. */
  readonly priorBias?: boolean;
}

export const MAX_CLASSES = 10000;

export function checkClasses(classes: number): number {
  if (!Number.isInteger(classes) || classes < 1 || classes > MAX_CLASSES)
    throw new SpaceError(`classes ${classes} is not valid: use a whole number from 1 to ${MAX_CLASSES}`);
  return classes;
}

export function buildGraph(genome: Genome, opts: BuildOptions = {}): Graph {
  validateGenome(genome);
  const classes = checkClasses(opts.classes ?? 80);
  const r = genome.resolution;
  const b = new GraphBuilder(genomeId(genome), [3, r, r]);
  const override = genome.activation === 'family' ? undefined : genome.activation;
  const ctxOf = (def: FamilyDef): FamilyCtx => ({
    b,
    act: override ?? def.activation,
    bnEps: BN_EPS,
    s: scaler(genome, def.maxChannels(genome.depth)),
    genome,
    override,
  });
  const backbone = FAMILY_DEFS[genome.backbone];
  const neck = FAMILY_DEFS[genome.neck];
  const features = backbone.backbone(ctxOf(backbone), b.input);
  const outs = neck.neck(ctxOf(neck), features);
  const head = detectHead(
    { b, act: override ?? neck.headActivation, bnEps: BN_EPS },
    outs,
    { classes, strides: HEAD_STRIDES, priorBias: opts.priorBias ?? true, branchConvs: genome.head === 'v8' ? 2 : 1 },
  );
  return b.finish([head.detections, ...head.levels], outs);
}

/** The channel/repeat scaler `family`'s blocks use under `genome` (for exporters that re-state the network). */
export function makeScaler(genome: Genome, family: Family): ReturnType<typeof scaler> {
  return scaler(genome, FAMILY_DEFS[family].maxChannels(genome.depth));
}
